"""A tiny local stand-in for Slack's Web API (and the phone webhook) that records arrivals.

Runs in its own process so its work does not share the runner's interpreter.
Every request is appended as one JSON line `{"t": <unix time>, "path": ..., "body": ...}`
to the record file the moment it arrives (before answering), so the runner can
measure submission → Slack latency by matching bench tokens in the body.

It answers every Web API method `ok: true` with the shapes slack_sdk expects
for the methods an alerting app uses (chat.postMessage, conversations.open,
users.lookupByEmail, auth.test); anything else gets a bare `{"ok": true}`.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs


def _answer(method: str, body: str) -> dict:
    params: dict = {}
    try:
        params = json.loads(body) if body.lstrip().startswith("{") else {
            k: v[0] for k, v in parse_qs(body).items()
        }
    except ValueError:
        params = {}
    ts = f"{time.time():.6f}"
    if method == "chat.postMessage":
        return {"ok": True, "channel": params.get("channel", "C0BENCH"), "ts": ts, "message": {"ts": ts}}
    if method == "conversations.open":
        return {"ok": True, "channel": {"id": "D0BENCH"}}
    if method == "users.lookupByEmail":
        return {"ok": True, "user": {"id": "U0BENCH", "profile": {"email": params.get("email", "")}}}
    if method == "auth.test":
        return {"ok": True, "user_id": "U0BOT", "team_id": "T0BENCH"}
    return {"ok": True}


def _serve(port_out: mp.Queue, record_path: str) -> None:
    lock = threading.Lock()
    out = open(record_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives as long as the process)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _handle(self) -> None:
            arrived = time.time()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            with lock:
                out.write(json.dumps({"t": arrived, "path": self.path, "body": body}) + "\n")
            method = self.path.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
            payload = json.dumps(_answer(method, body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = _handle
        do_GET = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    server.serve_forever(poll_interval=0.2)


class FakeSlack:
    """Start with `FakeSlack(path).start()`; `.url` is the API base; `.records()` reads arrivals."""

    def __init__(self, record_path: Path) -> None:
        self.record_path = record_path
        self.process: mp.Process | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def start(self) -> FakeSlack:
        self.record_path.parent.mkdir(parents=True, exist_ok=True)
        self.record_path.write_text("")
        ctx = mp.get_context("spawn")
        ports: mp.Queue = ctx.Queue()
        self.process = ctx.Process(target=_serve, args=(ports, str(self.record_path)), daemon=True)
        self.process.start()
        self.port = ports.get(timeout=10)
        return self

    def records(self) -> list[dict]:
        rows = []
        for line in self.record_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
        return rows

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
