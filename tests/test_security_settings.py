"""Production settings: `check --deploy` is clean, and secrets come only from the environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a clean production-like environment (no DEBUG, no test defaults)."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DEBUG": "0", "SLAOPS_RUN_DIR": str(ROOT / ".run" / "test-deploy"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "slaops.example.com",
    "SITE_URL": "https://slaops.example.com",
}


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_would_catch_a_weak_secret_key():
    # The same check fails loudly when a guarantee is broken, so the test above can fail.
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "SECRET_KEY": "short"})

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_the_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_no_secret_is_written_in_the_settings_file():
    from django.conf import settings

    source = (ROOT / "slaops" / "settings.py").read_text()
    # The only literal key is the development fallback, used only when DEBUG is on.
    assert source.count("SECRET_KEY = ") == 2
    assert "dev-only-insecure-key" in source
    for name in ("SLACK_BOT_TOKEN", "EMAIL_URL", "PHONE_WEBHOOK_URL", "DATABASE_URL", "REDIS_URL"):
        assert f'{name} = env_str("{name}")' in source, f"{name} must come from the environment"
    assert settings.SECRET_KEY == os.environ["SECRET_KEY"]


def test_production_cookies_are_secure_and_pages_cannot_be_framed():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.X_FRAME_OPTIONS, s.SESSION_COOKIE_HTTPONLY]))"
    )
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, **PRODUCTION, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "slaops.settings",
             "SLAOPS_RUN_DIR": str(ROOT / ".run" / "test-deploy")},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[true, true, true, true, "DENY", true]'
