"""Private Redis and Postgres servers for fault tests: started on free loopback ports in a temp
directory, stopped and started again on the same port, never the machine's shared servers."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_port(port: int, *, up: bool, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not come {'up' if up else 'down'} in {timeout}s")


class PrivateRedis:
    """``redis-server`` on a free port, no persistence; ``stop()``/``start()`` keep the port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        arguments = ["--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        arguments += ["--appendonly", "no", "--dir", str(self._directory)]
        self._process = subprocess.Popen(
            [binary, *arguments],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True)

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=30)
            self._process = None
        _wait_for_port(self.port, up=False)


@contextmanager
def private_redis(directory: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        raise RuntimeError(f"{name} is not installed (PostgreSQL server binaries)")
    return on_path


class PrivatePostgres:
    """A throwaway cluster (``initdb``) on a free port with trust auth. As root, its commands run
    as the ``postgres`` user, since the server refuses to run as root; its directory is then a
    fresh one under the temp root (that user cannot enter pytest's private temp directories)."""

    def __init__(self, directory: Path) -> None:
        if os.geteuid() == 0:
            directory = Path(tempfile.mkdtemp(prefix="royal-pg-"))
        self.port = free_port()
        self.data = directory / "pgdata"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._directory = directory

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self._directory, "postgres")
        self._run(
            _postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-N"
        )
        options = "\n".join(
            [
                f"port = {self.port}",
                "listen_addresses = '127.0.0.1'",
                f"unix_socket_directories = '{self._directory}'",
                "fsync = off",  # a process crash keeps the OS cache; commits stay synchronous
                "full_page_writes = off",
                "max_connections = 200",
            ]
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n" + options + "\n")

    def start(self) -> None:
        self._run(
            _postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self._directory / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``fast`` (clients disconnected, clean shutdown) or ``immediate`` (crash recovery)."""
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast", down_seconds: float = 0.0) -> None:
        self.stop(mode)
        time.sleep(down_seconds)
        self.start()


@contextmanager
def private_postgres(directory: Path) -> Iterator[PrivatePostgres]:
    server = PrivatePostgres(directory)
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(server.data.parent, ignore_errors=True)
