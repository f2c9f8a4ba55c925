"""Session signing and the modify form, without a server."""

from __future__ import annotations

import time

import pytest

from server.console import sessions
from server.console.forms import changed_args, fields_for
from server.console.sessions import ConsoleDisabledError, SessionSigner
from settings import Environment, Settings

SCHEMA = {
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 255},
        "price": {"anyOf": [{"type": "number", "exclusiveMinimum": 0.0}, {"type": "string"}]},
        "compare_at_price": {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0.0},
                {"type": "string"},
                {"type": "null"},
            ]
        },
        "handle": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "description_html": {"type": "string"},
        "units": {"type": "integer", "minimum": 1},
        "featured": {"type": "boolean"},
        "variants": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["title", "price", "handle"],
}
ARGS = {
    "title": "Rope",
    "price": "18.99",
    "compare_at_price": None,
    "handle": "rope",
    "description_html": "<p>x</p>",
    "units": 3,
    "featured": False,
    "variants": [{"sku": "R-1", "price": "18.99"}],
}


def test_fields_carry_the_schema_constraints() -> None:
    fields = {f.name: f for f in fields_for(SCHEMA, ARGS)}
    assert fields["price"].kind == "decimal"
    assert fields["price"].exclusive_minimum == 0.0
    assert fields["price"].required
    assert fields["compare_at_price"].nullable
    assert fields["compare_at_price"].value == ""
    assert fields["handle"].pattern == "^[a-z0-9][a-z0-9-]*$"
    assert fields["description_html"].kind == "textarea"
    assert (fields["units"].kind, fields["units"].minimum) == ("number", 1)
    assert fields["featured"].kind == "checkbox"
    assert fields["variants"].kind == "json"


def test_lists_are_edited_as_json_and_come_back_parsed() -> None:
    shown = fields_for(SCHEMA, ARGS)
    untouched = {f.input_name: f.value for f in shown if f.kind != "checkbox"}
    assert changed_args(SCHEMA, ARGS, untouched) == {}  # the list as shown is the list
    edited = {**untouched, "arg.variants": '[{"sku": "R-1", "price": "15.00"}]'}
    assert changed_args(SCHEMA, ARGS, edited) == {"variants": [{"sku": "R-1", "price": "15.00"}]}
    broken = {**untouched, "arg.variants": "[{"}
    assert changed_args(SCHEMA, ARGS, broken) == {"variants": "[{"}  # the schema check says why


def test_only_changed_arguments_come_back_typed() -> None:
    posted = {
        "arg.title": "Rope",
        "arg.price": "9.99",
        "arg.compare_at_price": "",
        "arg.handle": "rope",
        "arg.description_html": "<p>x</p>",
        "arg.units": "5",
        "arg.featured": "on",
    }
    assert changed_args(SCHEMA, ARGS, posted) == {"price": "9.99", "units": 5, "featured": True}
    unchanged = {**posted, "arg.price": "18.99", "arg.units": "3"}
    unchanged.pop("arg.featured")
    assert changed_args(SCHEMA, ARGS, unchanged) == {}


def test_sessions_are_signed_expire_and_carry_a_csrf_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signer = SessionSigner.from_settings(Settings(jwt_secret="x" * 40))
    cookie, session = signer.issue("ada")
    assert signer.load(cookie) == session
    assert len(session.csrf) >= 32
    assert signer.load(cookie[:-2] + "xx") is None
    other = SessionSigner.from_settings(Settings(jwt_secret="y" * 40))
    assert other.load(cookie) is None
    later = time.time() + sessions.SESSION_TTL.total_seconds() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert signer.load(cookie) is None


def test_the_sign_in_form_token_must_match_its_cookie() -> None:
    signer = SessionSigner.from_settings(Settings(jwt_secret="x" * 40))
    cookie, token = signer.login_token()
    assert signer.check_login(cookie, token)
    assert not signer.check_login(cookie, "forged")
    assert not signer.check_login(None, token)


def test_without_jwt_secret_development_uses_a_random_key_and_production_refuses() -> None:
    first = SessionSigner.from_settings(Settings())
    second = SessionSigner.from_settings(Settings())
    assert first.ephemeral
    assert first.key != second.key
    production = Settings.model_construct(jwt_secret=None, royal_env=Environment.PRODUCTION)
    with pytest.raises(ConsoleDisabledError):
        SessionSigner.from_settings(production)
