"""`make run`: the whole product in the foreground on one machine.

Migrates, loads demo data into an empty database, then runs the web app
(gunicorn), a Celery worker and Celery beat as child processes. Ctrl-C or
SIGTERM stops every child it started; if one child dies, the rest are stopped
too so nothing is left half-running.

Without REDIS_URL the worker and beat use kombu's filesystem transport under
.run/broker: a real worker with real scheduling, no server to install.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def _demo_needed() -> bool:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from leads.models import Lead; print(Lead.objects.exists())"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().endswith("False")


def main() -> int:
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    _manage("migrate", "--no-input", "-v", "0")
    if _demo_needed():
        print("Empty database: loading demo data (manage.py seed_demo) …", flush=True)
        _manage("seed_demo", "--leads", os.environ.get("DEMO_LEADS", "2000"), "--with-users")
        _manage("demo_live")
    else:
        print("Database has data: demo data not loaded.", flush=True)

    broker = "Redis" if os.environ.get("REDIS_URL") else "filesystem broker (no Redis)"
    database = "Postgres" if os.environ.get("DATABASE_URL") else "SQLite (db.sqlite3)"
    # On the embedded SQLite default one worker thread pool keeps writers few.
    worker_pool = ["--pool", "threads", "--concurrency", "4"]
    commands = {
        "web": [
            sys.executable, "-m", "gunicorn", "slaops.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", os.environ.get("WEB_CONCURRENCY", "2"), "--access-logfile", "-",
        ],
        "worker": [sys.executable, "-m", "celery", "-A", "slaops", "worker", "--loglevel", "INFO", *worker_pool],
        "beat": [sys.executable, "-m", "celery", "-A", "slaops", "beat", "--loglevel", "INFO"],
    }
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, cmd in commands.items():
        # Each child gets its own process group so a terminal Ctrl-C reaches us
        # first and we stop them in order, waiting for each.
        children[name] = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    print(
        f"\nSLAOps is running on http://127.0.0.1:{port}/ ({database}, {broker}).\n"
        "Log in as manager / sdr1 / ae1 (password: demo-pass-123). Ctrl-C stops everything.\n",
        flush=True,
    )
    exit_code = 0
    try:
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; stopping the rest.", flush=True)
                    exit_code = child.returncode or 1
                    stopping = True
                    break
            time.sleep(0.3)
    finally:
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        print("Stopped web, worker and beat.", flush=True)
    return exit_code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # Ctrl-C while migrating or seeding: the child got the same signal and stopped.
        print("\nInterrupted before the app started; nothing is left running.", flush=True)
        sys.exit(130)
