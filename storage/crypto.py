"""AES-256-GCM for secrets at rest, under one or more keys (the newest encrypts, all decrypt).

``ENCRYPTION_KEY`` holds base64 keys of 32 bytes, comma-separated, newest first. Each sealed
value records the id of the key that sealed it (a digest of the key, never the key), so a key
can be rotated by putting a new one in front: old values still open, and are re-sealed under
the new key on read or by ``royal credentials reencrypt``. Associated data binds a ciphertext
to the row it belongs to, so a ciphertext copied into another row does not open.

In development, with no key configured, a key is generated once into the data directory
(``encryption.key``, mode 0600) and its creation is logged; production refuses to start without
``ENCRYPTION_KEY`` (``settings.Settings``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from settings import Environment, Settings
from settings.model import ENCRYPTION_KEY_BYTES, decode_encryption_keys

logger = logging.getLogger(__name__)

NONCE_BYTES = 12
DEV_KEY_FILE = "encryption.key"


class KeyFormatError(ValueError):
    """A configured key is not base64 of 32 bytes; the message names its position, not it."""


class DecryptionError(Exception):
    """A sealed value did not open: unknown key id, wrong row, or tampered bytes."""


@dataclass(frozen=True)
class Sealed:
    """What is stored: which key sealed it, the nonce, and ciphertext with its GCM tag."""

    key_id: str
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True, repr=False)
class EncryptionKey:
    raw: bytes

    @functools.cached_property
    def key_id(self) -> str:
        """A public name for the key: 16 hex digits of a domain-separated SHA-256."""
        return hashlib.sha256(b"royal-encryption-key-id\x00" + self.raw).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"EncryptionKey(id={self.key_id})"


def generate_key() -> str:
    """A new key in the form ``ENCRYPTION_KEY`` takes (URL-safe base64, no padding)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(ENCRYPTION_KEY_BYTES)).decode().rstrip("=")


def parse_keys(value: str) -> tuple[EncryptionKey, ...]:
    """``key[,key...]`` newest first (see ``settings.model.decode_encryption_keys``)."""
    try:
        return tuple(EncryptionKey(raw) for raw in decode_encryption_keys(value))
    except ValueError as exc:
        raise KeyFormatError(str(exc)) from None


class Keyring:
    """The keys in use: ``primary`` seals, any of them opens."""

    def __init__(self, keys: tuple[EncryptionKey, ...], *, source: str = "ENCRYPTION_KEY") -> None:
        if not keys:
            raise KeyFormatError("a keyring needs at least one key")
        self.keys = keys
        self.source = source
        self._by_id = {key.key_id: key for key in keys}

    @classmethod
    def from_string(cls, value: str, *, source: str = "ENCRYPTION_KEY") -> Keyring:
        return cls(parse_keys(value), source=source)

    @property
    def primary(self) -> EncryptionKey:
        return self.keys[0]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(key.key_id for key in self.keys)

    def seal(self, plaintext: bytes, associated_data: bytes) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(self.primary.raw).encrypt(nonce, plaintext, associated_data)
        return Sealed(key_id=self.primary.key_id, nonce=nonce, ciphertext=ciphertext)

    def open(self, sealed: Sealed, associated_data: bytes) -> bytes:
        key = self._by_id.get(sealed.key_id)
        if key is None:
            raise DecryptionError(
                f"sealed under key {sealed.key_id}, which is not in {self.source} "
                "(a rotated-out key? keep old keys listed until `royal credentials reencrypt`)"
            )
        try:
            return AESGCM(key.raw).decrypt(sealed.nonce, sealed.ciphertext, associated_data)
        except InvalidTag:
            raise DecryptionError(
                "the ciphertext does not open under its key for this row (tampered or moved)"
            ) from None

    def is_current(self, key_id: str) -> bool:
        """Whether a value sealed under ``key_id`` needs no re-sealing."""
        return key_id == self.primary.key_id

    def __repr__(self) -> str:
        return f"Keyring(ids={list(self.key_ids)}, source={self.source!r})"


def keyring_from_settings(settings: Settings) -> Keyring:
    """``ENCRYPTION_KEY``; in development and tests a generated key in the data directory."""
    if settings.encryption_key is not None:
        return Keyring.from_string(settings.encryption_key.get_secret_value())
    if settings.royal_env is Environment.PRODUCTION:
        raise KeyFormatError("ENCRYPTION_KEY is required in production")
    path = settings.royal_data_dir / DEV_KEY_FILE
    return Keyring.from_string(_development_key(path.resolve()), source=str(path))


@functools.cache
def _development_key(path: Path) -> str:
    """Read the generated key, creating it first when absent.

    The key is written to a private temporary file and hard-linked into place, so a process
    starting at the same moment either wins the link or reads the complete winner's key.
    """
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(generate_key() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    else:
        logger.warning(
            "ENCRYPTION_KEY is not set: generated a development key at %s (mode 0600). "
            "Stored tokens are readable only with it; set ENCRYPTION_KEY in production.",
            path,
        )
    finally:
        temporary.unlink()
    return path.read_text(encoding="ascii").strip()
