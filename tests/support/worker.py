"""A private Redis server and a REAL Celery worker (with embedded beat) as subprocesses.

The worker runs this project's code against the pytest-django test database
(`test_<NAME>`, committed data only: use `transactional_db`) and the private
Redis, with whatever channel settings the test passes in its environment.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from .fakes import free_port

ROOT = Path(__file__).resolve().parents[2]


class RedisServer:
    """redis-server on a free port, no persistence; stop() and start() again simulate a broker outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def test_database_url() -> str:
    """DATABASE_URL pointing at the test database pytest-django created (`test_<NAME>`)."""
    from django.conf import settings

    url = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(url._replace(path="/" + settings.DATABASES["default"]["NAME"]))


class CeleryWorker:
    """`celery -A slaops worker -B` in a subprocess; its log is kept for failure messages."""

    def __init__(self, env: dict[str, str]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="slaops-worker-"))
        self.log_path = self.dir / "worker.log"
        self.env = {**os.environ, "SLAOPS_RUN_DIR": str(self.dir), "DB_CONN_MAX_AGE": "0", "PYTHONUNBUFFERED": "1",
                    **env}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 40) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes it for its lifetime
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "slaops", "worker", "-B", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            # Its own process group: `-B` forks an embedded beat, which outlives a
            # SIGKILLed worker unless stop() signals the whole group.
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.log()}")
            if " ready." in self.log():
                return
            time.sleep(0.1)
        raise RuntimeError(f"celery worker not ready after {timeout}s:\n{self.log()}")

    def warm_up(self, timeout: float = 20) -> None:
        """Run one no-op delivery so imports and connections are made before a test measures latency."""
        from notifications.tasks import deliver

        deliver.apply_async((0,), retry=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "notifications.tasks.deliver[" in self.log() and "succeeded" in self.log():
                return
            time.sleep(0.1)
        raise RuntimeError(f"celery worker did not run the warm-up task:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None:
            group = self.proc.pid
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    # A test worker has nothing worth a long warm shutdown.
                    self.proc.wait(3)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
            try:
                os.killpg(group, signal.SIGKILL)  # the embedded beat and anything else it forked
            except ProcessLookupError:
                pass
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


def point_app_at(broker_url: str, options: dict | None = None) -> None:
    """Make this (test) process publish to `broker_url`, dropping pooled connections to the old one."""
    from django.conf import settings

    from slaops.celery import app

    app.conf.broker_url = broker_url
    app.conf.broker_transport_options = options if options is not None else settings.CELERY_BROKER_TRANSPORT_OPTIONS
    from kombu import pools

    # Close every pooled connection and empty kombu's registry, so new ones go to the new broker.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
