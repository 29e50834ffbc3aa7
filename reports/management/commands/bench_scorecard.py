"""`manage.py bench_scorecard [--week YYYY-Www] [--runs N]`: time the scorecard endpoint.

A benchmark, not a test: run it against `seed_demo --leads 100000` on Postgres;
the target is under 1 s per request (issue 6).
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.periods import last_complete


class Command(BaseCommand):
    help = "Time GET /api/v1/reports/scorecard/ (median of N runs) and count its queries."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--week", default="")
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        week = opts["week"] or last_complete("week", timezone.now()).label
        user = get_user_model().objects.filter(is_superuser=True).first()
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        times = []
        for _ in range(opts["runs"]):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                resp = client.get("/api/v1/reports/scorecard/", {"week": week})
                times.append(time.perf_counter() - t0)
            assert resp.status_code == 200, resp.content
        leads = connection.cursor()
        leads.execute("SELECT COUNT(*) FROM leads_lead")
        n = leads.fetchone()[0]
        self.stdout.write(
            f"scorecard {week} over {n} leads on {connection.vendor}: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms, {len(ctx.captured_queries)} queries"
        )
