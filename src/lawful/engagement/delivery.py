"""The outbox dispatcher: messages waiting for their channel are handed to it, in batches.

The embedded installation configures no channel service: a message is then kept in the app's
inbox (`GET /persons/{id}/notifications`), where the person reads it. A channel given a URL
(`LAWFUL_NOTIFY_URL_PUSH`, `_EMAIL`, `_SMS`, `_LETTER`; any service apprise knows, e.g.
`ntfys://…`, `mailtos://…`, `json://…`) receives its messages through apprise. A failed hand-over
is retried by later runs, up to `MAX_ATTEMPTS`. On PostgreSQL several dispatchers share the
outbox: each claims its batch with FOR UPDATE SKIP LOCKED.

An e-mail or SMS goes to the person's own address or number, read from their file when the
message is handed over: through the gate, under the message's purpose, by the mailing platform,
recorded in the ledger — one batch of decisions per purpose and channel. A person the gate refuses
(erased, objecting) is sent nothing (`suppressed`); one without an address or number on file
cannot be reached on that channel (`failed`, `no_address`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from sqlalchemy import Row
from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import ConfigurationError
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.engagement import repository

MAX_ATTEMPTS = 3
MAILING_PLATFORM = "mailing-platform"
DELIVER = "engagement.notification.deliver"
# The channels that go to an address of the person's, and the category of that address.
ADDRESSED = {"email": "user.contact.email", "sms": "user.contact.phone_number"}


class Sender(Protocol):
    def handles(self, channel: str) -> bool: ...

    def send(self, channel: str, *, title: str, body: str, to: str | None = None) -> bool: ...


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
        self._apprise = apprise
        self._urls = dict(urls)
        self._targets: dict[str, Any] = {}
        for channel, url in urls.items():
            target = apprise.Apprise()
            if not target.add(url):
                raise ConfigurationError(f"the {channel} notification URL is not one apprise knows")
            self._targets[channel] = target

    def handles(self, channel: str) -> bool:
        return channel in self._targets

    def send(self, channel: str, *, title: str, body: str, to: str | None = None) -> bool:
        if to is None:
            return bool(self._targets[channel].notify(title=title, body=body))
        # The channel's service, told the person's address or number (apprise's `to=`).
        url = self._urls[channel]
        target = self._apprise.Apprise()
        if not target.add(f"{url}{'&' if '?' in url else '?'}to={quote(to, safe='')}"):
            return False
        return bool(target.notify(title=title, body=body))


@dataclass
class Dispatched:
    sent: int = 0
    kept: int = 0
    retry: int = 0
    failed: int = 0
    suppressed: int = 0  # the gate refused to read the address (erased, objecting…)

    @property
    def total(self) -> int:
        return self.sent + self.kept + self.retry + self.failed + self.suppressed


def dispatch(
    session: Session, *, sender: Sender | None, limit: int = 500, gate: Gate | None = None
) -> Dispatched:
    """Hand one batch of waiting messages to their channels; the caller commits. `gate` reads
    the addresses of e-mails and SMS (required when a sender handles those channels)."""
    rows = repository.claim_pending(session, limit=limit)
    done = Dispatched()
    sent: list[int] = []
    kept: list[int] = []
    retry: list[int] = []
    failed: list[int] = []
    addressed = [
        r
        for r in rows
        if r.channel in ADDRESSED and sender is not None and sender.handles(r.channel)
    ]
    addresses, refused = _addresses(session, gate, addressed)
    suppressed: dict[str, list[int]] = defaultdict(list)
    unreachable: list[int] = []
    for row in rows:
        if sender is None or not sender.handles(row.channel):
            kept.append(row.id)
        elif row.id in refused:
            suppressed[refused[row.id]].append(row.id)
        elif row.channel in ADDRESSED and not addresses.get(row.id):
            unreachable.append(row.id)
        elif sender.send(row.channel, title=row.title, body=row.body, to=addresses.get(row.id)):
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
    repository.mark(session, unreachable, status="failed", reason="no_address")
    for reason, ids in suppressed.items():
        repository.mark(session, ids, status="suppressed", reason=reason)
    done.sent, done.kept, done.retry = len(sent), len(kept), len(retry)
    done.failed = len(failed) + len(unreachable)
    done.suppressed = sum(len(ids) for ids in suppressed.values())
    return done


def _addresses(
    session: Session, gate: Gate | None, rows: Sequence[Row[Any]]
) -> tuple[dict[int, str | None], dict[int, str]]:
    """Per message, the person's address or number for its channel; and the messages whose
    person the gate refused, with the reasons. The gate is asked per purpose and channel, for
    every person of the batch at once, by the mailing platform for the purpose's controller."""
    if not rows:
        return {}, {}
    if gate is None:
        raise ConfigurationError("e-mail and SMS need the gate to read the addresses they go to")
    groups: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for row in rows:
        groups[(gate.register.topic(row.topic).purpose, row.channel)].append(row)
    allowed: set[tuple[str, str]] = set()
    refused: dict[int, str] = {}
    for (purpose, channel), batch in groups.items():
        entity = gate.register.purpose(purpose).controllers[0]
        ctx = gate.open(session, actor=Actor(MAILING_PLATFORM, entity), purpose=purpose)
        persons = list(dict.fromkeys(r.person_id for r in batch))
        details: dict[str, dict[str, Any]] = {}
        for r in batch:
            details.setdefault(r.person_id, {"channel": channel, "notifications": []})
            details[r.person_id]["notifications"].append(r.id)
        decided = ctx.access_many(
            persons, categories=[ADDRESSED[channel]], event=DELIVER, details=details
        )
        for r in batch:
            if r.person_id in decided.denied:
                refused[r.id] = ",".join(decided.denied[r.person_id])
            else:
                allowed.add((r.person_id, channel))
    points = customers.contact_points(session, person_ids=list({p for p, _ in allowed}))
    addresses: dict[int, str | None] = {}
    for r in rows:
        if r.id not in refused:
            email, phone = points.get(r.person_id, (None, None))
            addresses[r.id] = email if r.channel == "email" else phone
    return addresses, refused
