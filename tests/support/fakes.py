"""Local fake servers: real sockets, so the real clients (slack-sdk, smtplib, requests) are exercised."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Scripted:
    status: int
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


class _Server:
    """A threaded HTTP server that records every request and answers from a script, then a default."""

    def __init__(self, default: Callable[[Recorded], Scripted]) -> None:
        self.requests: list[Recorded] = []
        self.script: list[Scripted] = []
        self._default = default
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                rec = Recorded(self.path, {k: v for k, v in self.headers.items()}, self.rfile.read(length), time.time())
                with owner._lock:
                    owner.requests.append(rec)
                    answer = owner.script.pop(0) if owner.script else owner._default(rec)
                body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json" if not isinstance(answer.body, str)
                                 else "text/plain")
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body.encode())))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.script.clear()

    def then(self, *answers: Scripted) -> None:
        """Answer the next requests with these, in order; the default answer follows."""
        with self._lock:
            self.script.extend(answers)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, predicate: Callable[[list[Recorded]], bool], timeout: float = 10.0) -> list[Recorded]:
        """Wait (polling) until the recorded requests satisfy `predicate`; returns them either way."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                snapshot = list(self.requests)
            if predicate(snapshot):
                return snapshot
            time.sleep(0.05)
        with self._lock:
            return list(self.requests)


class FakeSlack(_Server):
    """Slack's Web API `chat.postMessage`, recording each call; `then(...)` scripts 429/500 answers."""

    def __init__(self) -> None:
        super().__init__(self._ok)
        self._ts = 0

    def _ok(self, rec: Recorded) -> Scripted:
        self._ts += 1
        channel = self.payload(rec).get("channel", "")
        return Scripted(200, {"ok": True, "channel": channel, "ts": f"1700000000.{self._ts:06d}"})

    @staticmethod
    def payload(rec: Recorded) -> dict[str, Any]:
        ctype = rec.headers.get("Content-Type", "")
        if "json" in ctype:
            return rec.json
        return {k: v[0] for k, v in parse_qs(rec.body.decode()).items()}

    def messages(self) -> list[dict[str, Any]]:
        """The chat.postMessage calls that were answered 200, as their JSON payloads."""
        return [self.payload(r) for r in self.requests if r.path.endswith("chat.postMessage")]

    def rate_limited(self, retry_after: int = 1) -> Scripted:
        return Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})

    @staticmethod
    def server_error() -> Scripted:
        return Scripted(500, "internal error")


class Receiver(_Server):
    """A phone-provider or webhook-subscriber endpoint: records POSTs, answers 200 unless scripted."""

    def __init__(self) -> None:
        super().__init__(lambda rec: Scripted(200, {"ok": True}))


class FakeSmtp:
    """A local SMTP server (aiosmtpd) collecting messages."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[dict[str, Any]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                outer.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                       "data": envelope.content.decode("utf-8", "replace")})
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.messages.clear()

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return list(self.messages)
