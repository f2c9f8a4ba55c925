"""AES-GCM sealing of stored tokens: keys, rotation, row binding, the development key."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import MissingSecretsError, Settings
from storage.credentials import associated_data
from storage.crypto import (
    DecryptionError,
    KeyFormatError,
    Keyring,
    Sealed,
    generate_key,
    keyring_from_settings,
    parse_keys,
)

#: Fixed test keys (pytest-xdist workers must collect identical parameters).
OLD = "q5O0QvWnTtpy6gVV0Yc2rVYJ3kKJXyKQn9nW3SmrRdI"
NEW = "bS8Yc0bC2Yq2nN0r1Fh7Yl2b1mXc3kT9a0Yh6s4Pq2E"
ROW = associated_data("cjdropshipping", "sandbox#abc")


def test_a_sealed_value_opens_and_is_not_the_plaintext() -> None:
    keyring = Keyring.from_string(NEW)
    sealed = keyring.seal(b"API@CJ1234@CJ:secret-token", ROW)
    assert b"secret-token" not in sealed.ciphertext
    assert len(sealed.nonce) == 12
    assert keyring.open(sealed, ROW) == b"API@CJ1234@CJ:secret-token"
    assert keyring.seal(b"same", ROW).nonce != keyring.seal(b"same", ROW).nonce


def test_a_ciphertext_moved_to_another_row_does_not_open() -> None:
    keyring = Keyring.from_string(NEW)
    sealed = keyring.seal(b"token", ROW)
    with pytest.raises(DecryptionError, match="tampered or moved"):
        keyring.open(sealed, associated_data("cjdropshipping", "other#def"))
    with pytest.raises(DecryptionError):
        keyring.open(Sealed(sealed.key_id, sealed.nonce, sealed.ciphertext[:-1] + b"\x00"), ROW)


def test_rotation_newest_seals_every_key_opens() -> None:
    before = Keyring.from_string(OLD)
    sealed_before = before.seal(b"old token", ROW)
    rotated = Keyring.from_string(f"{NEW},{OLD}")
    assert rotated.primary.key_id != sealed_before.key_id
    assert rotated.open(sealed_before, ROW) == b"old token"
    assert not rotated.is_current(sealed_before.key_id)
    assert rotated.seal(b"x", ROW).key_id == rotated.primary.key_id
    with pytest.raises(DecryptionError, match="not in ENCRYPTION_KEY"):
        Keyring.from_string(NEW).open(sealed_before, ROW)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "no key given"),
        ("not base64!!", "key 1 is not base64"),
        (f"{NEW},c2hvcnQ", "key 2 is 5 bytes, not 32"),
        (f"{NEW},{NEW}", "listed twice"),
    ],
)
def test_bad_keys_are_refused_without_echoing_them(value: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message) as caught:
        parse_keys(value)
    assert NEW not in str(caught.value)


def test_generated_keys_are_valid_and_distinct() -> None:
    first, second = generate_key(), generate_key()
    assert first != second
    assert len(parse_keys(f"{first},{second}")) == 2


def test_standard_and_url_safe_base64_name_the_same_key() -> None:
    url_safe = parse_keys(NEW)[0]
    standard = NEW.replace("-", "+").replace("_", "/") + "=" * (-len(NEW) % 4)
    assert parse_keys(standard)[0].key_id == url_safe.key_id
    assert NEW not in repr(url_safe)
    assert NEW not in repr(Keyring((url_safe,)))


def test_settings_refuse_a_malformed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCRYPTION_KEY", "a-long-random-encryption-key")
    with pytest.raises(ValidationError) as caught:
        Settings()
    (error,) = caught.value.errors()
    assert error["loc"] == ("encryption_key",)
    assert "key 1 is" in error["msg"]  # what `royal` prints: the position, never the key
    assert "a-long-random" not in error["msg"]


def test_production_without_a_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROYAL_ENV", "production")
    with pytest.raises(MissingSecretsError, match="ENCRYPTION_KEY"):
        Settings()


def test_development_generates_a_private_key_once_and_logs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ROYAL_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    with caplog.at_level(logging.WARNING, logger="storage.crypto"):
        first = keyring_from_settings(settings)
        second = keyring_from_settings(Settings())
    key_file = tmp_path / "data" / "encryption.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.primary.key_id == second.primary.key_id
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "generated a development key" in caplog.records[0].message
    assert len(list(key_file.parent.iterdir())) == 1  # no temporary file left behind


def test_a_configured_key_is_used_instead_of_generating_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ROYAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENCRYPTION_KEY", f"{NEW},{OLD}")
    keyring = keyring_from_settings(Settings())
    assert keyring.key_ids == (parse_keys(NEW)[0].key_id, parse_keys(OLD)[0].key_id)
    assert not (tmp_path / "data" / "encryption.key").exists()
