"""Postgres restarted under load: in-flight requests fail cleanly, nothing is half stored, the app recovers.

The app runs on gunicorn (DEBUG off, as in production) against a throwaway
Postgres of its own (tests/support/pg.py) — the shared server other test runs
use is never touched. Client threads keep submitting leads and reading while
the server is stopped with `-m fast` (every connection terminated), left down
for a moment, and started again. Then:

- every answer was a 2xx, or a 503 with a JSON body; never a dropped
  connection, an HTML page or a 500;
- every 2xx lead is stored whole (the lead, its creation history row, its
  event) and no failed request left anything behind;
- the same gunicorn processes serve again, without a restart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psycopg
import pytest
import requests

from tests.conftest import require_service
from tests.support import pg
from tests.support.gunicorn import Gunicorn, manage, production_env

pytestmark = pytest.mark.services


@dataclass
class Outcome:
    kind: str  # "submit", "read" or "health"
    email: str
    status: int  # 0 = no HTTP answer at all
    content_type: str
    body: object
    at: float


def _client(base: str, intake_key: str, read_key: str, stop: threading.Event, sink: list[Outcome], n: int) -> None:
    session = requests.Session()
    i = 0
    while not stop.is_set():
        i += 1
        kind = ("submit", "submit", "read", "health")[i % 4]
        email = f"load{n}-{i}@steel.example.in"
        try:
            if kind == "submit":
                resp = session.post(
                    f"{base}/api/v1/submissions/",
                    json={"email": email, "company": "Tata Steel", "event": {"type": "demo_request"}},
                    headers={"Authorization": f"Bearer {intake_key}"},
                    timeout=15,
                )
            elif kind == "read":
                resp = session.get(
                    f"{base}/api/v1/leads/", headers={"Authorization": f"Bearer {read_key}"}, timeout=15
                )
            else:
                resp = session.get(f"{base}/healthz", timeout=15)
        except requests.RequestException as exc:
            sink.append(Outcome(kind, email, 0, "", repr(exc), time.monotonic()))
            continue
        try:
            body: object = resp.json()
        except ValueError:
            body = resp.text[:300]
        content_type = resp.headers.get("Content-Type", "")
        sink.append(Outcome(kind, email, resp.status_code, content_type, body, time.monotonic()))
        time.sleep(0.01)


def test_a_postgres_restart_under_load_fails_requests_cleanly_and_the_app_recovers_by_itself():
    require_service(pg.available(), "PostgreSQL server binaries (initdb, pg_ctl)")
    with pg.ThrowawayPostgres() as server:
        url = server.create_database("slaops_outage")
        env = production_env(DATABASE_URL=url, SLAOPS_RUN_DIR=str(server.root / "run"))
        manage("migrate", "--noinput", env=env)
        intake_key = manage("issue_api_key", "load", "--scope", "intake", env=env).strip()
        read_key = manage("issue_api_key", "reader", "--scope", "read", env=env).strip()

        with Gunicorn(env) as web:
            outcomes: list[Outcome] = []
            stop = threading.Event()
            clients = [
                threading.Thread(target=_client, args=(web.base, intake_key, read_key, stop, outcomes, n))
                for n in range(4)
            ]
            for t in clients:
                t.start()
            try:
                _wait_for(lambda: sum(o.status == 201 for o in outcomes) >= 20, "load to get going")
                server.stop(mode="fast")
                down_at = time.monotonic()
                time.sleep(1.5)
                server.start()
                up_at = time.monotonic()
                _wait_for(
                    lambda: any(o.status == 201 and o.at > up_at + 0.2 for o in outcomes), "intake to recover"
                )
                time.sleep(0.5)
            finally:
                stop.set()
                for t in clients:
                    t.join(timeout=30)
            assert web.alive(), "gunicorn must survive the outage without a restart"
            log = web.output()

        failures = [o for o in outcomes if not 200 <= o.status < 300]
        during = [o for o in failures if o.at >= down_at]
        assert during, "the outage must have failed some requests, or this test proved nothing"
        for o in failures:
            assert o.status == 503, f"{o.kind} {o.email}: {o.status} {o.body!r}\n{log[-3000:]}"
            assert o.content_type.startswith("application/json"), o
            assert isinstance(o.body, dict), o
            if o.kind == "health":
                assert o.body == {"status": "unavailable", "database": False}, o
            else:
                assert "unavailable" in o.body["detail"], o
        assert any(o.kind == "submit" for o in during) and any(o.kind == "read" for o in during)

        stored = _stored_leads(url)
        accepted = {o.email for o in outcomes if o.kind == "submit" and o.status == 201}
        refused = {o.email for o in failures if o.kind == "submit"}
        assert set(stored) == accepted, "every accepted lead is stored, and nothing else"
        assert not refused & set(stored), "a failed request left a lead behind"
        for email, (events, history) in stored.items():
            assert (events, history) == (1, 1), f"{email} is half stored: {events} events, {history} history rows"


def _wait_for(condition, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _stored_leads(url: str) -> dict[str, tuple[int, int]]:
    """email → (events, stage history rows) for every lead in the throwaway database."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            SELECT l.email,
                   (SELECT count(*) FROM leads_event e WHERE e.lead_id = l.id),
                   (SELECT count(*) FROM leads_stagechange s WHERE s.lead_id = l.id)
            FROM leads_lead l
            """
        ).fetchall()
    return {email: (events, history) for email, events, history in rows}
