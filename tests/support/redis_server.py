"""A throwaway redis-server for tests that take Redis away (never the shared one)."""

from __future__ import annotations

import shutil
import subprocess

from .ports import free_port, wait_for_port


def available() -> bool:
    return shutil.which("redis-server") is not None


class ThrowawayRedis:
    """redis-server on a free port, no persistence; `stop()` and `start()` simulate an outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def __enter__(self) -> ThrowawayRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
