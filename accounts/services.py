"""Writes for people and keys."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from .models import ApiKey

KEY_PREFIX = "slo"


def hash_secret(secret: str) -> str:
    # Keys are 256-bit random tokens, so a fast hash is enough: there is
    # nothing to brute-force, and verification sits on the intake hot path.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_issue(*, name: str, scope: str) -> tuple[ApiKey, str]:
    """Create a key; return the row and the plain key, which is shown once and never stored."""
    if scope not in ApiKey.Scope.values:
        raise ValueError(f"unknown scope {scope!r}; choose one of {', '.join(ApiKey.Scope.values)}")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plain = f"{KEY_PREFIX}_{prefix}_{secret}"
    key = ApiKey.objects.create(name=name, scope=scope, prefix=prefix, key_hash=hash_secret(plain))
    return key, plain


def api_key_revoke(*, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def audit_record(
    *, user: object | None, action: str, obj: object, before: dict | None, after: dict | None
) -> None:
    """Append an audit entry: who changed what, when, with the before and after values."""
    from .models import AuditEntry

    AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}",  # type: ignore[attr-defined]
        object_id=str(getattr(obj, "pk", "")),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )
