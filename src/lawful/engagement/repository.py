"""All SQL of engagement. Flushes, never commits; the bulk paths are set-based."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lawful.customers import service as customers
from lawful.engagement.models import Notification, NotificationChoice, NotificationSettings


def settings(session: Session, person_id: str) -> NotificationSettings | None:
    return session.get(NotificationSettings, person_id)


def save_settings(session: Session, person_id: str, values: Mapping[str, Any]) -> None:
    row = session.get(NotificationSettings, person_id)
    if row is None:
        row = NotificationSettings(person_id=person_id, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()


def choices(session: Session, person_id: str) -> dict[str, list[str]]:
    query = sa.select(NotificationChoice.topic, NotificationChoice.channels).where(
        NotificationChoice.person_id == person_id
    )
    return {topic: split(channels) for topic, channels in session.execute(query)}


def save_choice(
    session: Session, person_id: str, topic: str, channels: Sequence[str], *, at: dt.datetime
) -> None:
    row = session.get(NotificationChoice, (person_id, topic))
    joined = ",".join(channels)
    if row is None:
        session.add(
            NotificationChoice(person_id=person_id, topic=topic, channels=joined, changed_at=at)
        )
    else:
        row.channels, row.changed_at = joined, at
    session.flush()


def bulk_insert(
    session: Session,
    *,
    settings: Sequence[Mapping[str, Any]],
    choices: Sequence[Mapping[str, Any]],
) -> None:
    for model, rows in ((NotificationSettings, settings), (NotificationChoice, choices)):
        if rows:
            session.execute(sa.insert(model), list(rows))


def delete_for(session: Session, person_ids: Sequence[str]) -> int:
    """Every message and preference of these persons; the number of messages deleted."""
    deleted = 0
    for start in range(0, len(person_ids), 900):
        chunk = list(person_ids[start : start + 900])
        for model in (NotificationSettings, NotificationChoice):
            session.execute(sa.delete(model).where(model.person_id.in_(chunk)))
        result = session.execute(sa.delete(Notification).where(Notification.person_id.in_(chunk)))
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


def delete_older(session: Session, *, topic: str, before: dt.datetime) -> int:
    """The topic's messages created before `before`, in one statement; how many."""
    n = Notification.__table__.c
    result = session.execute(sa.delete(Notification).where(n.topic == topic, n.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def split(channels: str | None) -> list[str]:
    return [c for c in (channels or "").split(",") if c]


def notifications_of(
    session: Session, person_id: str, *, limit: int, suppressed_too: bool = False
) -> list[Notification]:
    """The person's messages, newest first; suppressed ones (never sent) only if asked."""
    query = sa.select(Notification).where(Notification.person_id == person_id)
    if not suppressed_too:
        query = query.where(Notification.status != "suppressed")
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(session.scalars(query))


# --- card reminders -------------------------------------------------------------------------


def reminders_due(
    session: Session,
    *,
    day: dt.date,
    topic: str,
    key_prefix: str,
    default_days: int,
    max_days: int,
    statements: tuple[int, int] | None = None,
) -> list[sa.Row[Any]]:
    query = _due_query(
        day=day,
        topic=topic,
        key_prefix=key_prefix,
        default_days=default_days,
        max_days=max_days,
        statements=statements,
    )
    return list(session.execute(query))


def reminders_due_in_batches(
    session: Session, *, size: int, **question: Any
) -> Iterator[Sequence[sa.Row[Any]]]:
    """The same one statement, its rows fetched `size` at a time (a server-side cursor on
    PostgreSQL): a million statements due never sit in memory at once."""
    query = _due_query(**question).execution_options(yield_per=size)
    yield from session.execute(query).partitions(size)


def _due_query(
    *,
    day: dt.date,
    topic: str,
    key_prefix: str,
    default_days: int,
    max_days: int,
    statements: tuple[int, int] | None = None,
) -> sa.Select[Any]:
    """Every statement a reminder is due for on `day`, in one statement: unpaid, due within the
    person's own number of days (their setting, else `default_days`), with no message decided
    for it yet; with the person's language, quiet hours and channels for `topic`. With
    `statements`, only those whose id lies in that range (both ends included): one queued batch."""
    due = customers.statements_due_select(day, day + dt.timedelta(days=max_days)).subquery("due")
    st, ch, n = (
        NotificationSettings.__table__.c,
        NotificationChoice.__table__.c,
        Notification.__table__.c,
    )
    days = sa.func.coalesce(st.reminder_days, default_days)
    # The last due date each number of days reaches, as bound dates: the same SQL on SQLite and
    # PostgreSQL, with no date arithmetic in the database.
    reach = sa.case(
        *(
            (days == k, sa.literal(day + dt.timedelta(days=k), sa.Date))
            for k in range(max_days + 1)
        ),
        else_=sa.literal(day + dt.timedelta(days=default_days), sa.Date),
    )
    key = sa.literal(key_prefix) + sa.cast(due.c.statement_id, sa.String)
    query = (
        sa.select(
            due.c.statement_id,
            due.c.person_id,
            due.c.entity,
            due.c.last_digits,
            due.c.balance_cents,
            due.c.due_date,
            due.c.language.label("file_language"),
            st.language.label("chosen_language"),
            st.quiet_start,
            st.quiet_end,
            ch.channels,
        )
        .select_from(due)
        .outerjoin(NotificationSettings, st.person_id == due.c.person_id)
        .outerjoin(NotificationChoice, sa.and_(ch.person_id == due.c.person_id, ch.topic == topic))
        .where(due.c.due_date <= reach)
        .where(~sa.exists().where(n.idempotency_key == key))
        .order_by(due.c.statement_id)
    )
    if statements is not None:
        query = query.where(due.c.statement_id.between(*statements))
    return query


def insert_notifications(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Insert what is not there yet (by idempotency key), in one statement; the keys of the rows
    inserted. A concurrent run that decided the same statement first keeps its row."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(sa.Table, Notification.__table__)
    # Executed for many parameter sets: one compiled statement, sent in pages of rows, instead
    # of compiling a VALUES list of thousands of parameters per batch.
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.idempotency_key)
    )
    return list(session.connection().execute(statement, list(rows)).scalars())


_SETTLED = ("channel", "language", "title", "body", "status", "reason", "delivered_at")


def settle_notifications(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write each claimed row's outcome: one UPDATE statement executed for the whole batch."""
    if not rows:
        return
    n = cast(sa.Table, Notification.__table__)
    statement = (
        sa.update(n)
        .where(n.c.idempotency_key == sa.bindparam("key"))
        .values({name: sa.bindparam(f"new_{name}") for name in _SETTLED})
    )
    params = [
        {"key": r["idempotency_key"], **{f"new_{name}": r[name] for name in _SETTLED}} for r in rows
    ]
    session.connection().execute(statement, params)


# --- the outbox -----------------------------------------------------------------------------


def claim_pending(session: Session, *, limit: int) -> list[sa.Row[Any]]:
    """A batch of messages to dispatch, locked for this transaction. On PostgreSQL, rows another
    dispatcher holds are skipped (FOR UPDATE SKIP LOCKED), so several share the outbox; SQLite
    has one writer at a time anyway."""
    n = Notification.__table__.c
    query = (
        sa.select(n.id, n.person_id, n.topic, n.channel, n.title, n.body, n.attempts)
        .where(n.status == "pending")
        .order_by(n.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.execute(query))


def mark(
    session: Session,
    ids: Sequence[int],
    *,
    status: str,
    at: dt.datetime | None = None,
    tried: bool = False,
    reason: str | None = None,
) -> None:
    if not ids:
        return
    n = Notification.__table__.c
    values: dict[str, Any] = {"status": status}
    if reason is not None:
        values["reason"] = reason
    if at is not None:
        values["delivered_at"] = at
    if tried:
        values["attempts"] = n.attempts + 1
    session.execute(sa.update(Notification).where(n.id.in_(list(ids))).values(**values))


def count_by_status(session: Session) -> dict[str, int]:
    n = Notification.__table__.c
    query = sa.select(n.status, sa.func.count()).group_by(n.status)
    return {status: count for status, count in session.execute(query)}


# --- statement-change notices ---------------------------------------------------------------


def related_in_batches(
    session: Session, *, entities: Sequence[str], today: dt.date, topic: str, size: int
) -> Iterator[Sequence[sa.Row[Any]]]:
    """Every running relationship with one of `entities`, by person, with the person's chosen
    language and channels for `topic`: one statement, its rows fetched `size` at a time."""
    related = customers.related_select(entities, today).subquery("related")
    st, ch = NotificationSettings.__table__.c, NotificationChoice.__table__.c
    query: sa.Select[Any] = (
        sa.select(
            related.c.person_id,
            related.c.entity,
            related.c.state,
            related.c.language.label("file_language"),
            related.c.brand,
            st.language.label("chosen_language"),
            ch.channels,
        )
        .select_from(related)
        .outerjoin(NotificationSettings, st.person_id == related.c.person_id)
        .outerjoin(
            NotificationChoice, sa.and_(ch.person_id == related.c.person_id, ch.topic == topic)
        )
        .order_by(related.c.person_id, related.c.entity)
        .execution_options(yield_per=size)
    )
    yield from session.execute(query).partitions(size)


# --- other domains' messages ----------------------------------------------------------------


def delivery_settings(
    session: Session, person_ids: Sequence[str], *, topic: str
) -> dict[str, sa.Row[Any]]:
    """Per person with settings or a choice for `topic`: chosen language, quiet hours and the
    topic's channels (None where never chosen). Two statements per 900 persons."""
    found: dict[str, sa.Row[Any]] = {}
    st, ch = NotificationSettings.__table__.c, NotificationChoice.__table__.c
    for start in range(0, len(person_ids), 900):
        chunk = list(person_ids[start : start + 900])
        people = sa.union(
            sa.select(st.person_id.label("person_id")).where(st.person_id.in_(chunk)),
            sa.select(ch.person_id.label("person_id")).where(
                ch.person_id.in_(chunk), ch.topic == topic
            ),
        ).subquery("people")
        query = (
            sa.select(
                people.c.person_id,
                st.language.label("chosen_language"),
                st.quiet_start,
                st.quiet_end,
                ch.channels,
            )
            .select_from(people)
            .outerjoin(NotificationSettings, st.person_id == people.c.person_id)
            .outerjoin(
                NotificationChoice,
                sa.and_(ch.person_id == people.c.person_id, ch.topic == topic),
            )
        )
        found.update({row.person_id: row for row in session.execute(query)})
    return found


# --- marketing messages ---------------------------------------------------------------------


def audience(
    session: Session, person_ids: Sequence[str], topics: Sequence[str]
) -> tuple[
    dict[str, str | None],
    dict[tuple[str, str], list[str]],
    dict[str, tuple[dt.time, dt.time]],
]:
    """The chosen language per person (absent: none chosen), their channels per topic (absent:
    the topic's defaults) and their quiet hours (absent: none), two statements per chunk of ids."""
    st, ch = NotificationSettings.__table__.c, NotificationChoice.__table__.c
    languages: dict[str, str | None] = {}
    chosen: dict[tuple[str, str], list[str]] = {}
    quiet: dict[str, tuple[dt.time, dt.time]] = {}
    for start in range(0, len(person_ids), 900):
        chunk = list(person_ids[start : start + 900])
        query = sa.select(st.person_id, st.language, st.quiet_start, st.quiet_end).where(
            st.person_id.in_(chunk)
        )
        for person, language, begins, ends in session.execute(query):
            languages[person] = language
            if begins is not None and ends is not None:
                quiet[person] = (begins, ends)
        picked = sa.select(ch.person_id, ch.topic, ch.channels).where(
            ch.person_id.in_(chunk), ch.topic.in_(list(topics))
        )
        chosen.update({(p, t): split(c) for p, t, c in session.execute(picked)})
    return languages, chosen, quiet
