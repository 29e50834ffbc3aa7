"""The notification outbox: write now (inside the caller's transaction), deliver after commit.

Contract used by other apps (SPEC S20, S21, S25):

    notify(key=..., message=Message(...), team_channel=True, users=[sdr, manager], phone=False)

writes one outbox row per channel and recipient, idempotent on `key` (a second
call with the same key writes nothing), and enqueues delivery on commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    link: str = ""


def notify(
    *,
    key: str,
    message: Message,
    team_channel: bool = False,
    users: Iterable[Any] = (),
    emails: Iterable[str] = (),
    phone: bool = False,
) -> None:
    """Queue `message` for Slack (team channel and each user's DM), email and phone."""
