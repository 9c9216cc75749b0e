"""The privacy centre's pages beside the first ones: notification preferences (on "my choices"),
the assistant, and the customer's complaints.

Each runs the service its API route runs, under the same purposes: the engagement service for
preferences, the assistant's dialogue, the complaints service's "my complaints". As everywhere in
the centre, the person is the session's; a conversation that is not theirs answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from lawful.complaints import service as complaints
from lawful.complaints.schemas import ComplaintRead
from lawful.core.errors import NotFound
from lawful.engagement import service as engagement
from lawful.engagement.schemas import MAX_REMINDER_DAYS, PreferencesUpdate, QuietHours
from lawful.interactions.api import assistant_phrasing
from lawful.interactions.kate import assistant
from lawful.interactions.schemas import MAX_MESSAGE, KateMessage
from lawful.web.deps import MAX_ID, actor_of
from lawful.webui.routes import (
    PREFIX,
    Page,
    Visit,
    _page,
    _posted_form,
    router,
)
from lawful.webui.texts import LANGUAGES

CHANNEL_FIELD = "channel."


# --- notification preferences ------------------------------------------------------------------


def _back(done: str | None = None, problem: str | None = None) -> RedirectResponse:
    query = f"done={done}" if done else f"problem={problem}"
    return RedirectResponse(f"{PREFIX}/choices?{query}#notifications", status_code=303)


@router.post("/choices/notifications/{topic}", response_class=HTMLResponse)
async def notification_channels(request: Request, topic: str) -> Response:
    """The channels ticked for one topic, in the topic's own order; none switches it off."""

    def act(visit: Visit, session: Session, form: dict[str, str]) -> Response:
        declared = {t.id: t for t in visit.rt.register.notification_topics}.get(topic)
        if declared is None:
            raise NotFound("no such topic")
        ticked = {k.removeprefix(CHANNEL_FIELD) for k in form if k.startswith(CHANNEL_FIELD)}
        channels = [c for c in declared.channels if c.value in ticked]
        if declared.mandatory and not channels:
            return _back(problem="mandatory")  # nothing changed: a mandatory notice stays on
        _save(visit, session, PreferencesUpdate(topics={topic: channels}))
        return _back("notifications")

    return await _posted_form(request, act)


@router.post("/choices/quiet-hours", response_class=HTMLResponse)
async def quiet_hours(request: Request) -> Response:
    """Quiet hours from `start` to `end` (local time); `off` removes them."""

    def act(visit: Visit, session: Session, form: dict[str, str]) -> Response:
        if form.get("off"):
            _save(visit, session, PreferencesUpdate(quiet_hours=None))
            return _back("quiet_off")
        try:
            start = dt.time.fromisoformat(form.get("start", "")[:8])
            end = dt.time.fromisoformat(form.get("end", "")[:8])
            wanted = QuietHours(start=start, end=end)
        except (ValueError, ValidationError):
            return _back(problem="quiet")
        _save(visit, session, PreferencesUpdate(quiet_hours=wanted))
        return _back("quiet")

    return await _posted_form(request, act)


@router.post("/choices/message-language", response_class=HTMLResponse)
async def message_language(request: Request) -> Response:
    """The language messages are written in: one of the centre's, or the file's (empty)."""

    def act(visit: Visit, session: Session, form: dict[str, str]) -> Response:
        wanted = form.get("language", "")
        if wanted and wanted not in LANGUAGES:
            raise NotFound("no such language")
        _save(visit, session, PreferencesUpdate(language=wanted or None))
        return _back("language")

    return await _posted_form(request, act)


@router.post("/choices/card-reminder-days", response_class=HTMLResponse)
async def card_reminder_days(request: Request) -> Response:
    """How many days before the due date a card reminder comes."""

    def act(visit: Visit, session: Session, form: dict[str, str]) -> Response:
        days = form.get("days", "")
        if not (days.isascii() and days.isdigit()) or int(days) > MAX_REMINDER_DAYS:
            raise NotFound("no such choice")  # only the form's own values are offered
        _save(visit, session, PreferencesUpdate(card_reminder_days=int(days)))
        return _back("reminder")

    return await _posted_form(request, act)


def _save(visit: Visit, session: Session, changes: PreferencesUpdate) -> None:
    engagement.set_preferences(
        session,
        gate=visit.rt.gate,
        actor=actor_of(visit.who),
        person_id=visit.person_id,
        changes=changes,
        today=visit.today,
    )


# --- the assistant ------------------------------------------------------------------------------


@router.get("/assistant", response_class=HTMLResponse)
def assistant_page(request: Request) -> Response:
    return _page(request, lambda visit, session: _assistant(visit))


def _assistant(visit: Visit, **shown: Any) -> Page:
    brand = visit.rt.register.brand(visit.person.brand)
    return "assistant.html", {
        "assistant": brand.assistant,
        "max_message": MAX_MESSAGE,
        "current": "assistant",
        **shown,
    }


@router.post("/assistant", response_class=HTMLResponse)
async def ask_assistant(request: Request) -> Response:
    """One question, answered on the page that comes back: a plain form, no script needed.
    The conversation goes on while its number rides along in the form."""

    def act(visit: Visit, session: Session, form: dict[str, str]) -> Page:
        question = form.get("question", "").strip()
        conversation = _conversation(form.get("conversation", ""))
        try:
            message = KateMessage(text=question, conversation_id=conversation)
        except ValidationError:
            return _assistant(visit, problem="question", question=question[:MAX_MESSAGE])
        answer = assistant.ask(
            session,
            gate=visit.rt.gate,
            person_id=visit.person_id,
            message=message,
            today=visit.today,
            phrasing=assistant_phrasing(),
        )
        return _assistant(visit, asked=message.text, answer=answer)

    return await _posted_form(request, act)


def _conversation(value: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ID:
        raise NotFound("no such conversation")  # nobody's: as another's
    return int(value)


# --- my complaints ------------------------------------------------------------------------------


@router.get("/complaints", response_class=HTMLResponse)
def my_complaints(request: Request) -> Response:
    def build(visit: Visit, session: Session) -> Page:
        found = complaints.person_complaints(
            session,
            gate=visit.rt.gate,
            actor=actor_of(visit.who),
            person_id=visit.person_id,
            today=visit.today,
            staff=False,
        )
        rows = [
            {
                "id": c.id,
                "product": visit.t(f"complaint.product.{c.product_kind.value}"),
                "cause": visit.t(f"complaint.cause.{c.root_cause.value}"),
                "received": visit.date(c.received_on),
                "status": visit.t(f"complaint.status.{c.status.value}"),
                "closed": visit.date(c.closed_on) if c.closed_on else None,
                "deadline": visit.date(_deadline(c)),
                "deadline_iso": _deadline(c).isoformat(),
                "deadline_kind": visit.t(f"complaints.due.{_due_kind(c)}"),
                "overdue": c.overdue,
                "escalated": visit.t(f"complaint.escalated.{c.escalated_to}")
                if c.escalated_to
                else None,
            }
            for c in found
        ]
        return "complaints.html", {"rows": rows, "current": "complaints"}

    return _page(request, build)


def _due_kind(c: ComplaintRead) -> str:
    return "acknowledge" if c.status.value == "received" else "answer"


def _deadline(c: ComplaintRead) -> dt.date:
    """The next date the customer is owed something: the acknowledgement, then the answer."""
    return c.acknowledge_due if _due_kind(c) == "acknowledge" else c.answer_due
