"""The outbox dispatcher: messages waiting for their channel are handed to it, in batches.

The embedded installation configures no channel service: a message is then kept in the app's
inbox (`GET /persons/{id}/notifications`), where the person reads it. A channel given a URL
(`LAWFUL_NOTIFY_URL_PUSH`, `_EMAIL`, `_SMS`, `_LETTER`; any service apprise knows, e.g.
`ntfys://…`, `mailtos://…`, `json://…`) receives its messages through apprise. A failed hand-over
is retried by later runs, up to `MAX_ATTEMPTS`. On PostgreSQL several dispatchers share the
outbox: each claims its batch with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import ConfigurationError
from lawful.engagement import repository

MAX_ATTEMPTS = 3


class Sender(Protocol):
    def handles(self, channel: str) -> bool: ...

    def send(self, channel: str, *, title: str, body: str) -> bool: ...


class AppriseSender:
    """Each channel's messages to the service its URL names, through apprise."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        try:
            import apprise
        except ImportError:  # an optional dependency: `pip install lawful[notify]`
            raise ConfigurationError(
                "a notification URL is configured but apprise is not installed: "
                "pip install 'lawful[notify]'"
            ) from None
        self._targets: dict[str, Any] = {}
        for channel, url in urls.items():
            target = apprise.Apprise()
            if not target.add(url):
                raise ConfigurationError(f"the {channel} notification URL is not one apprise knows")
            self._targets[channel] = target

    def handles(self, channel: str) -> bool:
        return channel in self._targets

    def send(self, channel: str, *, title: str, body: str) -> bool:
        return bool(self._targets[channel].notify(title=title, body=body))


@dataclass
class Dispatched:
    sent: int = 0
    kept: int = 0
    retry: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.kept + self.retry + self.failed


def dispatch(session: Session, *, sender: Sender | None, limit: int = 500) -> Dispatched:
    """Hand one batch of waiting messages to their channels; the caller commits."""
    rows = repository.claim_pending(session, limit=limit)
    done = Dispatched()
    sent: list[int] = []
    kept: list[int] = []
    retry: list[int] = []
    failed: list[int] = []
    for row in rows:
        if sender is None or not sender.handles(row.channel):
            kept.append(row.id)
        elif sender.send(row.channel, title=row.title, body=row.body):
            sent.append(row.id)
        elif row.attempts + 1 >= MAX_ATTEMPTS:
            failed.append(row.id)
        else:
            retry.append(row.id)
    now = utcnow()
    repository.mark(session, sent, status="sent", at=now, tried=True)
    repository.mark(session, kept, status="kept", at=now)
    repository.mark(session, retry, status="pending", tried=True)
    repository.mark(session, failed, status="failed", tried=True)
    done.sent, done.kept, done.retry, done.failed = len(sent), len(kept), len(retry), len(failed)
    return done
