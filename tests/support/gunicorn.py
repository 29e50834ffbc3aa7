"""Serve the app with gunicorn on a free port, as production does, for fault tests."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from .fakes import free_port

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    """A production-like environment (DEBUG off) without the test run's defaults."""
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no TLS redirect or secure-only cookies.
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
    }
    return env | extra


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int = 2, threads: int = 4) -> None:
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.args = ["-w", str(workers), "--threads", str(threads), "--timeout", "30", "--graceful-timeout", "5"]
        self.proc: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: a full pipe would block the server mid-test.
        self.log = tempfile.TemporaryFile()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def __enter__(self) -> Gunicorn:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "slaops.wsgi:application", "-b", f"127.0.0.1:{self.port}", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.output()}")
            try:
                requests.get(f"{self.base}/healthz", timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.2)
        raise TimeoutError("gunicorn did not start")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
