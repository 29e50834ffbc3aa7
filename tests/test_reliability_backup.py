"""The README's backup and restore, exercised: pg_dump, pg_restore into a fresh database, same rows.

The commands are the ones documented in README.md ("Backup and restore"),
run against this test run's database with committed data in it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import require_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def test_a_pg_dump_restored_into_a_fresh_database_has_every_row(require_postgres, intake, tmp_path: Path):
    require_service(bool(shutil.which("pg_dump") and shutil.which("pg_restore")), "pg_dump and pg_restore")
    for i in range(5):
        intake.post(
            "/api/v1/submissions/",
            {"email": f"backup{i}@cement.example.in", "company": "Shree Cement", "source": {"campaign": "Expo"},
             "event": {"type": "demo_request"}},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"form-{i}",
        )
    intake.post("/api/v1/events/", [{"email": "backup0@cement.example.in", "type": "email_open"}], format="json")
    source_url = _url(connection.settings_dict["NAME"])
    restored_name = f"slaops_restore_{uuid.uuid4().hex[:8]}"
    restored_url = _url(restored_name)
    dump = tmp_path / "slaops.dump"
    env = {**os.environ, **({"PGPASSWORD": settings.DATABASES["default"]["PASSWORD"]}
                           if settings.DATABASES["default"].get("PASSWORD") else {})}

    # README: Backup and restore.
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), source_url],
                   check=True, env=env, capture_output=True, timeout=120)
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored_url, str(dump)],
                       check=True, env=env, capture_output=True, timeout=120)

        before, after = _row_counts(source_url), _row_counts(restored_url)
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')

    assert after == before
    assert before["leads_lead"] == 5 and before["leads_event"] == 6
    assert before["leads_stagechange"] >= 5 and before["leads_idempotencyrecord"] == 5
    assert before["accounts_apikey"] == 1 and before["django_migrations"] > 0
