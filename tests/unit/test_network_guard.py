"""The suite must not reach the network beyond loopback."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_connecting_beyond_loopback_fails() -> None:
    with (
        pytest.warns(UserWarning, match="192.0.2.1"),
        pytest.raises(SocketConnectBlockedError),
        socket.create_connection(("192.0.2.1", 80), timeout=1),
    ):
        pass


def test_loopback_is_allowed(sandbox: object) -> None:
    from tools.sandbox import SandboxServer

    assert isinstance(sandbox, SandboxServer)
    with socket.create_connection((sandbox.host, sandbox.port), timeout=2):
        pass
