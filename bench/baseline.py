"""What Postgres itself does with the same rows, measured in the same run.

The intake baseline stores exactly what a submission stores — the lead row
(upserted on its email), its event, and the history row of a new lead — with
raw psycopg statements: one transaction per submission, from as many
connections as gunicorn has workers. No Django, no validation, no scoring:
the floor the API is compared with.

Row values are prepared with the Django model fields beforehand (so the
columns and defaults always match the current schema) and are not timed.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import psycopg

from bench.loadgen import DOMAIN, payload

BASELINE_DOMAIN = "baseline.example.in"


def _db_values(obj: Any, connection: Any) -> tuple[list[str], list[Any]]:
    cols, vals = [], []
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.pre_save(obj, add=True)  # fills auto_now(_add)
        cols.append(field.column)
        vals.append(field.get_db_prep_save(value, connection))
    return cols, vals


@dataclass(frozen=True)
class Prepared:
    lead_sql: str
    lead_vals: list[Any]
    event_sql: str
    event_vals: list[Any]
    event_lead_pos: int  # where the new lead's id goes in event_vals
    change_sql: str
    change_vals: list[Any]
    change_lead_pos: int


def prepare(run: str, n: int, alert_every: int, source_id: int | None) -> list[Prepared]:
    """The rows of submissions 0..n-1 of the load run, as raw SQL with values."""
    from django.db import connection
    from django.utils import timezone

    from leads.models import ActorKind, Event, Lead, Stage, StageChange

    now = timezone.now()
    out = []
    for i in range(n):
        _, body = payload(run, i, alert_every)
        data = json.loads(body)
        email = data["email"].replace(DOMAIN, BASELINE_DOMAIN)
        attrs = {k: data[k] for k in ("first_name", "last_name", "title", "company", "industry", "function")
                 if k in data}
        for k in ("employees", "revenue_cr", "shipments_per_day"):
            if k in data:
                attrs[k] = data[k]
        lead = Lead(email=email, first_touch_at=now, source_id=source_id, **attrs)
        lcols, lvals = _db_values(lead, connection)
        lead_sql = (
            f"INSERT INTO {Lead._meta.db_table} ({', '.join(lcols)}) VALUES ({', '.join(['%s'] * len(lcols))}) "
            "ON CONFLICT (email) DO UPDATE SET updated_at = EXCLUDED.updated_at RETURNING id, (xmax = 0)"
        )
        event = Event(lead_id=0, type=data["event"]["type"], occurred_at=now, asset=data["event"].get("asset", ""),
                      source_id=source_id)
        ecols, evals = _db_values(event, connection)
        change = StageChange(lead_id=0, from_stage="", to_stage=Stage.LEAD, at=now, actor_kind=ActorKind.SYSTEM,
                             reason="baseline")
        ccols, cvals = _db_values(change, connection)
        out.append(
            Prepared(
                lead_sql=lead_sql,
                lead_vals=lvals,
                event_sql=f"INSERT INTO {Event._meta.db_table} ({', '.join(ecols)}) "
                f"VALUES ({', '.join(['%s'] * len(ecols))})",
                event_vals=evals,
                event_lead_pos=ecols.index("lead_id"),
                change_sql=f"INSERT INTO {StageChange._meta.db_table} ({', '.join(ccols)}) "
                f"VALUES ({', '.join(['%s'] * len(ccols))})",
                change_vals=cvals,
                change_lead_pos=ccols.index("lead_id"),
            )
        )
    return out


def run_inserts(conninfo: str, rows: list[Prepared], connections: int) -> tuple[float, list[float]]:
    """Insert every prepared submission, one transaction each; answer (seconds, per-transaction latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(connections + 1)

    def work(chunk: list[Prepared]) -> None:
        local: list[float] = []
        with psycopg.connect(conninfo) as conn:
            barrier.wait()
            for row in chunk:
                t0 = time.perf_counter()
                with conn.cursor() as cur:
                    cur.execute(row.lead_sql, row.lead_vals)
                    lead_id, inserted = cur.fetchone()
                    ev = list(row.event_vals)
                    ev[row.event_lead_pos] = lead_id
                    cur.execute(row.event_sql, ev)
                    if inserted:
                        ch = list(row.change_vals)
                        ch[row.change_lead_pos] = lead_id
                        cur.execute(row.change_sql, ch)
                conn.commit()
                local.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=work, args=(rows[k::connections],)) for k in range(connections)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies


def cleanup(conninfo: str) -> None:
    """Remove the baseline's rows (they only exist in the three tables it wrote)."""
    from leads.models import Event, Lead, StageChange

    like = f"%@{BASELINE_DOMAIN}"
    with psycopg.connect(conninfo) as conn:
        sub = f"SELECT id FROM {Lead._meta.db_table} WHERE email LIKE %s"
        conn.execute(f"DELETE FROM {Event._meta.db_table} WHERE lead_id IN ({sub})", [like])
        conn.execute(f"DELETE FROM {StageChange._meta.db_table} WHERE lead_id IN ({sub})", [like])
        conn.execute(f"DELETE FROM {Lead._meta.db_table} WHERE email LIKE %s", [like])
