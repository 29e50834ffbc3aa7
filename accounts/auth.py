"""`Authorization: Bearer <key>` for REST clients (SPEC S27), and scope checks."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from .models import ApiKey
from .services import KEY_PREFIX, hash_secret

# last_used_at is informative; writing it on every request would put a row
# update on the intake hot path, so it is refreshed at most once a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):  # type: ignore[no-untyped-def]
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <key>'.")
        plain = parts[1]
        pieces = plain.split("_", 2)
        if len(pieces) != 3 or pieces[0] != KEY_PREFIX:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        key = ApiKey.objects.filter(prefix=pieces[1]).first()
        if key is None or not hmac.compare_digest(key.key_hash, hash_secret(plain)):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return (AnonymousUser(), key)

    def authenticate_header(self, request):  # type: ignore[no-untyped-def]
        return self.keyword


def request_api_key(request) -> ApiKey | None:  # type: ignore[no-untyped-def]
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


class ScopePermission(permissions.BasePermission):
    """Allow an API key whose scope is listed (admin keys always), or a logged-in user.

    Logged-in users are then narrowed by the role rules in `accounts.access`.
    """

    scopes: tuple[str, ...] = ()
    allow_users = True
    message = "This API key's scope does not allow this request."

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        key = request_api_key(request)
        if key is not None:
            return key.scope == ApiKey.Scope.ADMIN or key.scope in self.scopes
        return bool(self.allow_users and request.user and request.user.is_authenticated)


class IntakeScope(ScopePermission):
    scopes = (ApiKey.Scope.INTAKE,)
    allow_users = False


class ReadScope(ScopePermission):
    scopes = (ApiKey.Scope.READ,)
