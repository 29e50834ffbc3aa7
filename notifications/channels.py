"""Delivery channels (GUIDE 5): each has `send(message)` and raises `DeliveryError` on failure.

A channel is on exactly when it is configured (SPEC S26). 4xx answers and
Slack's auth errors are permanent; 5xx, timeouts and 429 are retried by the
outbox, honouring `Retry-After`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.mail import EmailMessage


@dataclass(frozen=True)
class Outgoing:
    """What a channel sends: built from one outbox row."""

    target: str
    subject: str = ""
    text: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    secret: str = ""
    key: str = ""


class DeliveryError(Exception):
    """A failed delivery; `permanent` failures are not retried, `retry_after` (seconds) overrides back-off."""

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.status_code = status_code


class ChannelTransport(Protocol):
    name: str

    def enabled(self) -> bool: ...

    def send(self, message: Outgoing) -> None: ...


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def http_post_json(
    url: str, body: bytes, *, timeout: float, headers: dict[str, str] | None = None
) -> requests.Response:
    """POST a JSON body; the one HTTP helper every webhook-style channel uses (timeout is required).

    Raises DeliveryError: permanent for 4xx other than 408/429, temporary otherwise.
    """
    all_headers = {"Content-Type": "application/json", "User-Agent": "SLAOps/1"} | (headers or {})
    try:
        resp = requests.post(url, data=body, headers=all_headers, timeout=timeout)
    except requests.Timeout as exc:
        raise DeliveryError(f"timeout after {timeout}s: {exc}") from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"connection failed: {exc}") from exc
    if resp.status_code >= 400:
        temporary = resp.status_code >= 500 or resp.status_code in (408, 429)
        raise DeliveryError(
            f"HTTP {resp.status_code}: {resp.text[:200]}",
            permanent=not temporary,
            retry_after=_retry_after(resp.headers.get("Retry-After")),
            status_code=resp.status_code,
        )
    return resp


class SlackChannel:
    """Slack Web API `chat.postMessage` to a channel id or a user id (a DM)."""

    name = "slack"
    # Answers that retrying will not fix.
    PERMANENT_ERRORS = frozenset(
        {"invalid_auth", "invalid_token", "not_authed", "account_inactive", "token_revoked", "channel_not_found",
         "user_not_found", "is_archived", "not_in_channel", "missing_scope", "invalid_blocks", "msg_too_long"}
    )

    def enabled(self) -> bool:
        return bool(settings.SLACK_BOT_TOKEN)

    def send(self, message: Outgoing) -> None:
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError

        # Retries belong to the outbox, which records each one and honours Retry-After.
        client = WebClient(
            token=settings.SLACK_BOT_TOKEN,
            base_url=settings.SLACK_API_BASE_URL,
            timeout=int(max(1, settings.HTTP_TIMEOUT_SECONDS)),
            retry_handlers=[],
        )
        try:
            client.chat_postMessage(
                channel=message.target,
                text=message.text,
                blocks=message.payload.get("blocks") or None,
                unfurl_links=False,
            )
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
            headers = exc.response.headers
            retry_after = _retry_after(headers.get("Retry-After") or headers.get("retry-after"))
            permanent = error in self.PERMANENT_ERRORS or (400 <= status < 500 and status not in (408, 429))
            raise DeliveryError(
                f"Slack {status} {error}".strip(), permanent=permanent, retry_after=retry_after, status_code=status
            ) from exc
        except OSError as exc:  # urllib's URLError, socket timeouts, refused connections
            raise DeliveryError(f"Slack unreachable: {exc}") from exc


class EmailChannel:
    """Email through Django's configured backend (SMTP when EMAIL_URL is set)."""

    name = "email"

    def enabled(self) -> bool:
        return bool(settings.EMAIL_URL)

    def send(self, message: Outgoing) -> None:
        import smtplib

        email = EmailMessage(
            subject=message.subject, body=message.text, to=[message.target],
            headers={"X-SLAOps-Key": message.key} if message.key else None,
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=500 <= exc.smtp_code < 600,
                                status_code=exc.smtp_code) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP failed: {exc}") from exc


class PhoneChannel:
    """The telephony/SMS provider's webhook for Grade A alerts (SPEC S20)."""

    name = "phone"

    def enabled(self) -> bool:
        return bool(settings.PHONE_WEBHOOK_URL)

    def send(self, message: Outgoing) -> None:
        body = json.dumps(message.payload, sort_keys=True, default=str).encode()
        http_post_json(
            message.target or settings.PHONE_WEBHOOK_URL,
            body,
            timeout=settings.HTTP_TIMEOUT_SECONDS,
            headers={"Idempotency-Key": message.key},
        )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`, hex; subscribers recompute it to verify (and reject stale stamps)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


class WebhookChannel:
    """Signed JSON events to subscriber URLs configured in admin."""

    name = "webhook"

    def enabled(self) -> bool:
        return True

    def send(self, message: Outgoing) -> None:
        body = json.dumps(message.payload, sort_keys=True, separators=(",", ":"), default=str).encode()
        stamp = int(time.time())
        http_post_json(
            message.target,
            body,
            timeout=settings.HTTP_TIMEOUT_SECONDS,
            headers={
                "X-SLAOps-Event": str(message.payload.get("event", "")),
                "X-SLAOps-Delivery": message.key,
                "X-SLAOps-Timestamp": str(stamp),
                "X-SLAOps-Signature": f"sha256={sign(message.secret, stamp, body)}",
            },
        )


CHANNELS: dict[str, ChannelTransport] = {
    "slack": SlackChannel(),
    "email": EmailChannel(),
    "phone": PhoneChannel(),
    "webhook": WebhookChannel(),
}
