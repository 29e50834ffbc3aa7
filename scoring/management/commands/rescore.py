"""`manage.py rescore [--all]`: recompute scores now (e.g. after publishing a rule change)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from scoring import services


class Command(BaseCommand):
    help = (
        "Rescore leads whose score is due to change (decay). With --all, rescore every lead under the "
        "published rules. Grade changes, new MQLs and Grade C queue entries follow as on intake."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--all", action="store_true", help="Rescore every lead, not only those due.")
        parser.add_argument("--batch", type=int, default=2000, help="Leads per batch (default 2000).")
        parser.add_argument(
            "--no-effects", action="store_true", help="With --all: write score columns only (no stage changes)."
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        now = timezone.now()
        progress = opts["verbosity"] > 0
        started = time.monotonic()
        if opts["all"]:
            count = services.leads_rescore_all(
                now=now, batch_size=opts["batch"], effects=not opts["no_effects"], progress=progress
            )
        else:
            count = 0
            due = services.leads_due_count(now=now)
            with tqdm(total=due, unit="lead", desc="rescore", disable=not progress) as bar:
                while True:
                    result = services.leads_rescore_due(now=now, batch_size=opts["batch"])
                    count += result.loaded
                    bar.update(result.loaded)
                    if not result.more:
                        break
        elapsed = time.monotonic() - started
        rate = f" ({count / elapsed:,.0f} leads/s)" if elapsed > 0 and count else ""
        self.stdout.write(self.style.SUCCESS(f"Rescored {count} leads in {elapsed:.1f} s{rate}."))
