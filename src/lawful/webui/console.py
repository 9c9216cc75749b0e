"""The staff console: server-rendered pages over the services the API uses, for staff.

A staff member logs in with their staff token, as a customer does in the privacy centre (the same
session cookie and CSRF tokens). Every page authenticates the token again, opens one unit of work
and calls the same service functions as the API's routes, under the same purposes: the gate
decides what the staff member's role and entity may see, and the ledger records each read.

- the customer file with its rectification history: opened by number with a reason, posted (a
  reason is kept in the ledger, never in a URL);
- a customer's conversations and correspondence: listed without their content; one is opened
  for a purpose (a conversation's copy) or a declared ground with a justification (a message);
- the entity's complaints with their deadlines, one complaint and its next step;
- the ledger's latest signed tree head, a verification run on demand (the DPO's), and every
  verification kept, from here or from `lawful ledger verify` (read by the DPO and the auditor,
  a role with no purpose, hence no customer's data).

What a role may not pursue answers 403 before anything is looked up; a customer, conversation,
message or complaint outside the staff member's entity answers 404, as an unknown number does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from babel.dates import format_date, format_datetime
from cryptography.exceptions import InvalidSignature
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from lawful.auth import service as auth
from lawful.auth.schemas import Principal, PrincipalKind
from lawful.complaints import service as complaints
from lawful.complaints.schemas import Status
from lawful.core.db import is_busy
from lawful.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    ProcessingDenied,
    Unauthenticated,
)
from lawful.core.gate import unit_of_work
from lawful.core.ledger import checks
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.runtime import Runtime
from lawful.correspondence import service as correspondence
from lawful.correspondence.schemas import Examination, Ground
from lawful.customers import service as customers
from lawful.customers.access import FILE_READ_PURPOSES
from lawful.interactions import service as interactions
from lawful.interactions.schemas import Use
from lawful.interactions.uses import HISTORY, PURPOSES
from lawful.rights import service as rights
from lawful.web.deps import MAX_ID, actor_of, reach
from lawful.webui import routes as centre
from lawful.webui import session as cookies
from lawful.webui.console_texts import text
from lawful.webui.texts import LANGUAGE_NAMES, LANGUAGES

CENTRE = "/privacy"  # the centre's prefix: its stylesheet, language switch and session cookie
PREFIX = CENTRE + "/console"
HERE = Path(__file__).parent
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}
PERSON_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
REASON_MAX = 200
JUSTIFICATION_MAX = 200
FORM_MAX = 16_384  # bytes: the longest form here is a reason and a justification
COMPLAINTS_PAGE = 50
# The ledger is verified from the console up to this many sequenced events, in the server's own
# process, one run at a time; a larger ledger is verified with `lawful ledger verify`.
VERIFY_MAX = 1_000_000
AUDITOR = "auditor"  # reads the ledger's status and its verifications, no customer's data
LEDGER_ROLES = frozenset({rights.DPO, AUDITOR})
VERIFY_ROLES = frozenset({rights.DPO})
HISTORY_SHOWN = 10  # verifications listed on the ledger page
# A DPO schedules `lawful ledger verify` nightly: past a day without an intact run, the page
# says so.
STALE_AFTER = dt.timedelta(hours=24)
FIELDS = (
    "id",
    "national_number",
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "region",
    "brand",
    "language",
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")
_VERIFYING = threading.Lock()

Page = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Desk:
    """The staff member on the page, in which language."""

    rt: Runtime
    who: Principal
    lang: str
    token: str

    @property
    def actor(self) -> Actor:
        return actor_of(self.who)

    def may(self, section: str) -> bool:
        """Whether the staff member's role and entity may open this part of the console."""
        policy = self.rt.gate.policy
        if section == "customers":
            return any(policy.may_pursue(self.actor, p) for p in FILE_READ_PURPOSES)
        if section == "conversations":
            return policy.may_pursue(self.actor, HISTORY)
        if section == "correspondence":
            return policy.may_pursue(self.actor, correspondence.PURPOSE)
        if section == "exchanges":
            return self.may("conversations") or self.may("correspondence")
        if section == "complaints":
            return policy.may_pursue(self.actor, complaints.PURPOSE)
        if section == "ledger":
            return self.who.role in LEDGER_ROLES
        if section == "verify":
            return self.who.role in VERIFY_ROLES
        if section == "dpo":
            return self.who.role == rights.DPO
        return False

    @property
    def sections(self) -> list[str]:
        return [s for s in SECTIONS if self.may(s)]

    def t(self, key: str, **values: str) -> str:
        return text(self.lang, key, **values)

    def date(self, day: dt.date) -> str:
        return format_date(day, "long", locale=LOCALES[self.lang])

    def when(self, at: dt.datetime) -> str:
        return format_datetime(at, "medium", tzinfo=dt.UTC, locale=LOCALES[self.lang])

    def purpose_title(self, purpose: str) -> str:
        try:
            title = self.rt.register.purpose(purpose).title
        except KeyError:
            return purpose
        return str(title.get(self.lang) or purpose).replace("{brand}", "KBC")

    def role_title(self) -> str:
        for role in self.rt.register.roles:
            if role.id == self.who.role:
                title = role.title
                return title if isinstance(title, str) else title.get(self.lang, role.id)
        return self.who.role

    def entity_name(self) -> str:
        for entity in self.rt.register.entities:
            if entity.id == self.who.entity:
                name = entity.legal_name
                return name if isinstance(name, str) else name.get(self.lang, entity.id)
        return self.who.entity


SECTIONS = ("customers", "exchanges", "complaints", "ledger", "dpo")


class Refused(Exception):
    """A part of the console the staff member's role or entity may not open."""


# --- plumbing ----------------------------------------------------------------------------------


def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.lawful
    return rt


def _language(request: Request) -> str:
    chosen = request.cookies.get(cookies.LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "fr"


def _render(
    request: Request,
    desk: Desk | None,
    name: str,
    context: Mapping[str, Any],
    status: int = 200,
) -> HTMLResponse:
    lang = desk.lang if desk else _language(request)
    base: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **values: text(lang, key, **values),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "visit": None,
        "csrf": None,
        "staff": desk,
        "staff_csrf": cookies.csrf_token(desk.token) if desk else None,
        "brand": None,
        "brand_name": None,
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "menu": (),
        "prefix": CENTRE,
        "console": PREFIX,
        "current": None,
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _message(request: Request, desk: Desk | None, key: str, status: int, **extra: Any) -> Response:
    return _render(request, desk, "console/message.html", {"key": key, **extra}, status=status)


def _to_login(request: Request) -> RedirectResponse:
    """To the login; a session cookie the request carried is ended. A request without one (a
    link followed from another site, which the SameSite=Strict cookie does not accompany) leaves
    the browser's session as it is."""
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    if cookies.SESSION_COOKIE in request.cookies:
        cookies.close_session(response)
    return response


def _principal(session: Session, rt: Runtime, token: str | None) -> Principal | None:
    if token is None:
        return None
    try:
        return auth.authenticate(session, states=rt.gate.states, token=token)
    except Unauthenticated:
        return None


def _page(
    request: Request,
    build: Callable[[Desk, Session], Page | Response],
    *,
    section: str | None = None,
    reads: bool = True,
) -> Response:
    """Authenticate the session's staff token, check the role may open `section`, build the
    page in one unit of work; render it once the transaction is committed.

    A page that `reads` runs as the API's GET routes do, its ledger entries written by the
    group commit; should it find SQLite's write lock taken, it runs again holding it."""
    rt = _runtime(request)
    try:
        return _built(request, rt, build, section, grouped=reads)
    except OperationalError as exc:
        if not (reads and is_busy(exc)):
            raise
    return _built(request, rt, build, section, grouped=False)


def _built(
    request: Request,
    rt: Runtime,
    build: Callable[[Desk, Session], Page | Response],
    section: str | None,
    *,
    grouped: bool,
) -> Response:
    desk: Desk | None = None
    try:
        with unit_of_work(rt.engine, commits=rt.commits if grouped else None) as session:
            token = cookies.session_token(request)
            who = _principal(session, rt, token)
            if who is None or token is None:
                return _to_login(request)
            if who.kind is not PrincipalKind.STAFF:
                # A customer's session stays as it is: the console is not theirs.
                return _message(request, None, "staffonly", 403)
            desk = Desk(rt, who, _language(request), token)
            if section is not None and not desk.may(section):
                raise Refused(section)
            built = build(desk, session)
    except Refused:
        return _message(request, desk, "forbidden", 403)
    except ProcessingDenied as refused:
        # The gate refused and recorded it; the staff member is told why, in words.
        reasons = [_reason(desk, r) for r in refused.reasons]
        return _message(request, desk, "refused", 403, reasons=reasons)
    except (NotFound, NotPermitted):
        # Unknown, or outside the staff member's entity: the same page, nothing about which.
        return _message(request, desk, "notfound", 404)
    except InvalidInput:
        # A rule of the service the form did not check first: nothing was done.
        return _message(request, desk, "invalid", 422)
    if isinstance(built, Response):
        return built
    name, context = built
    return _render(request, desk, name, context)


def _reason(desk: Desk | None, code: str) -> str:
    key = f"reason.{code}"
    found = text(desk.lang if desk else "en", key)
    return found if found != key else code


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form (application/x-www-form-urlencoded), one value per field; None when it
    is larger, or has more fields, than any form of the console."""
    body = await request.body()
    if len(body) > FORM_MAX:
        return None
    decoded = body.decode("utf-8", errors="replace")
    try:
        fields = parse_qs(decoded, max_num_fields=20)
    except ValueError:  # more fields than any form of the console has
        return None
    return {k: v[0] for k, v in fields.items()}


async def _posted(
    request: Request,
    act: Callable[[Desk, Session, dict[str, str]], Page | Response],
    *,
    section: str,
    reads: bool = False,
) -> Response:
    """A form posted from the console: refused (403) without the session's CSRF token, before
    anything is looked up; then as `_page`, holding the write lock from the start unless it
    only `reads`."""
    form = await _form(request)
    if form is None:
        return _message(request, None, "toolarge", 413)
    token = cookies.session_token(request)
    if token is None:
        return _to_login(request)
    if not cookies.csrf_valid(token, form.get(cookies.CSRF_FIELD)):
        return _message(request, None, "csrf", 403)
    return await run_in_threadpool(
        _page, request, lambda desk, session: act(desk, session, form), section=section, reads=reads
    )


def _row_id(value: int) -> int:
    """A number beyond the key's range is nobody's: refused before anything is looked up."""
    if not 1 <= value <= MAX_ID:
        raise NotFound("no such number")
    return value


def _one_line(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


# --- login, logout -----------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token, fresh = cookies.login_token(request)
    response = _render(
        request, None, "console/login.html", {"login_csrf": token, "error": error}, status=status
    )
    if fresh:
        cookies.keep_login_token(response, token)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _message(request, None, "toolarge", 413)
    if not cookies.login_valid(request, form.get(cookies.CSRF_FIELD)):
        return _message(request, None, "csrf", 403)
    return await run_in_threadpool(_log_in, request, form.get("token", "").strip())


def _log_in(request: Request, token: str) -> Response:
    rt = _runtime(request)
    who: Principal | None = None
    if token and len(token) <= 200:
        with unit_of_work(rt.engine) as session:
            who = _principal(session, rt, token)
    if who is None:
        return _login_page(request, "login.refused", status=401)
    if who.kind is PrincipalKind.CUSTOMER:
        return _login_page(request, "login.customer", status=403)
    if who.kind is not PrincipalKind.STAFF:
        return _login_page(request, "login.system", status=403)
    try:
        with unit_of_work(rt.engine) as session:
            issued = auth.open_session(session, token=token, principal=who)
    except Unauthenticated:
        return _login_page(request, "login.refused", status=401)
    response = RedirectResponse(PREFIX, status_code=303)
    cookies.open_session(response, issued.token)
    return response


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    form = await _form(request)
    token = cookies.session_token(request)
    if form is None or not cookies.csrf_valid(token, form.get(cookies.CSRF_FIELD)):
        return _message(request, None, "csrf", 403)
    await run_in_threadpool(centre.end_session, _runtime(request), token)
    return _to_login(request)


# --- home --------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """What this staff member may open, and what not, with their role and entity."""

    def build(desk: Desk, session: Session) -> Page:
        return "console/home.html", {
            "current": "home",
            "open": desk.sections,
            "closed": [s for s in SECTIONS if not desk.may(s)],
            "role": desk.role_title(),
            "entity": desk.entity_name(),
        }

    return _page(request, build)


# --- the customer file -------------------------------------------------------------------------


@router.get("/customers", response_class=HTMLResponse)
def customer_search(request: Request) -> Response:
    def build(desk: Desk, session: Session) -> Page:
        return "console/customer_search.html", {"current": "customers", "problem": None}

    return _page(request, build, section="customers")


@router.post("/customers", response_class=HTMLResponse)
async def customer_file(request: Request) -> Response:
    """The file as the API shows it to this staff member, and its history: both read under the
    reason given, which the ledger keeps with the reads."""

    def act(desk: Desk, session: Session, form: dict[str, str]) -> Page | Response:
        person_id = form.get("customer", "").strip()
        reason = _one_line(form.get("reason"), REASON_MAX + 1)
        asked = {"customer": person_id[:64], "reason": reason[:REASON_MAX]}
        problem = None
        if not PERSON_ID.match(person_id):
            problem = "customer"
        elif len(reason) < 3 or len(reason) > REASON_MAX:
            problem = "reason"
        if problem is not None:
            return _render(
                request,
                desk,
                "console/customer_search.html",
                {"current": "customers", "problem": problem, "asked": asked},
                status=422,
            )
        reach(desk.rt, session, desk.who, person_id, purpose=FILE_READ_PURPOSES)
        person = customers.get_person(
            session, gate=desk.rt.gate, actor=desk.actor, person_id=person_id, reason=reason
        )
        changes = customers.history(
            session, gate=desk.rt.gate, actor=desk.actor, person_id=person_id, reason=reason
        )
        shown = person.model_dump()
        rows = [
            (desk.t(f"field.{f}"), _shown(desk, shown.get(f), f), f in person.withheld)
            for f in FIELDS
        ]
        history = [
            {
                "when": desk.when(c.changed_at),
                "field": desk.t(f"field.{c.field}"),
                "before": c.before or "—",
                "after": c.after or "—",
                "reason": c.reason,
                "by": c.changed_by,
                "entity": c.entity,
            }
            for c in changes
        ]
        return "console/customer.html", {
            "current": "customers",
            "person": person,
            "rows": rows,
            "history": history,
            "exchanges": desk.may("exchanges"),
        }

    return await _posted(request, act, section="customers")


def _shown(desk: Desk, value: Any, field: str = "") -> str:
    if value is None:
        return "—"
    if field == "region":
        return desk.t(f"region.{value}")
    if field == "language":
        return LANGUAGE_NAMES.get(str(value), str(value))
    if field == "brand":
        try:
            name = desk.rt.register.brand(str(value)).name
        except KeyError:
            return str(value)
        return str(name.get(desk.lang) or value)
    if isinstance(value, dt.datetime):
        return desk.when(value)
    if isinstance(value, dt.date):
        return desk.date(value)
    return str(value)


# --- conversations and correspondence ----------------------------------------------------------


@router.get("/exchanges", response_class=HTMLResponse)
def exchanges(request: Request, customer: str | None = Query(None, max_length=200)) -> Response:
    """A customer's conversations and messages with the staff member's entity: what, when,
    through which channel, never their content."""

    def build(desk: Desk, session: Session) -> Page:
        context: dict[str, Any] = {"current": "exchanges", "customer": None, "problem": None}
        if customer is None:
            return "console/exchanges.html", context
        person_id = customer.strip()
        if not PERSON_ID.match(person_id):
            context.update(problem="customer", asked=person_id[:64])
            return "console/exchanges.html", context
        today = dt.date.today()
        context["customer"] = person_id
        if desk.may("conversations"):
            reach(desk.rt, session, desk.who, person_id, purpose=HISTORY)
            found = interactions.person_conversations(
                session,
                gate=desk.rt.gate,
                actor=desk.actor,
                person_id=person_id,
                today=today,
                staff=True,
                purpose=HISTORY,
            )
            context["conversations"] = [
                {
                    "id": c.id,
                    "when": desk.when(c.started_at),
                    "channel": desk.t(f"channel.{c.channel.value}"),
                    "language": LANGUAGE_NAMES.get(c.language, c.language),
                    "copies": ", ".join(desk.t(f"use.{k.use.value}") for k in c.copies) or "—",
                    "investment": c.investment,
                }
                for c in found
            ]
        if desk.may("correspondence"):
            reach(desk.rt, session, desk.who, person_id, purpose=correspondence.PURPOSE)
            messages = correspondence.person_messages(
                session,
                gate=desk.rt.gate,
                actor=desk.actor,
                person_id=person_id,
                today=today,
                limit=correspondence.PAGE_MAX,
            )
            context["messages"] = [
                {
                    "id": m.id,
                    "when": desk.when(m.received_at),
                    "channel": desk.t(f"channel.{m.channel.value}"),
                    "direction": desk.t(f"direction.{m.direction.value}"),
                    "topic": _code(desk, "topic", m.topic),
                    "intent": _code(desk, "intent", m.intent),
                    "urgency": _code(desk, "urgency", m.urgency),
                    "private": m.private,
                }
                for m in messages
            ]
        return "console/exchanges.html", context

    return _page(request, build, section="exchanges")


def _code(desk: Desk, kind: str, code: str) -> str:
    """An analyser's code (topic, intent, urgency) in words; a code not known here as it is."""
    key = f"{kind}.{code}"
    found = desk.t(key)
    return code if found == key else found


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation_form(request: Request, conversation_id: int) -> Response:
    """Before a conversation is opened: for which purpose (which copy of the recording)."""

    def build(desk: Desk, session: Session) -> Page:
        return "console/conversation.html", {
            "current": "exchanges",
            "id": _row_id(conversation_id),
            "uses": _uses(desk),
            "problem": None,
            "content": None,
        }

    return _page(request, build, section="conversations")


def _uses(desk: Desk) -> list[tuple[str, str, str]]:
    return [(u.value, desk.t(f"use.{u.value}"), desk.purpose_title(PURPOSES[u])) for u in Use]


@router.post("/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_open(request: Request, conversation_id: int) -> Response:
    """The copy kept for the purpose chosen, read under that purpose: a role that may not
    pursue it is refused, and the refusal recorded."""

    def act(desk: Desk, session: Session, form: dict[str, str]) -> Page | Response:
        number = _row_id(conversation_id)
        try:
            use = Use(form.get("use", ""))
        except ValueError:
            return _render(
                request,
                desk,
                "console/conversation.html",
                {
                    "current": "exchanges",
                    "id": number,
                    "uses": _uses(desk),
                    "problem": "use",
                    "content": None,
                },
                status=422,
            )
        copy = interactions.read_copy(
            session,
            gate=desk.rt.gate,
            actor=desk.actor,
            conversation_id=number,
            use=use,
            today=dt.date.today(),
        )
        return "console/conversation.html", {
            "current": "exchanges",
            "id": number,
            "uses": _uses(desk),
            "problem": None,
            "content": copy,
            "use": desk.t(f"use.{copy.use.value}"),
            "purpose": desk.purpose_title(copy.purpose),
            "expires": desk.date(copy.expires_on),
        }

    return await _posted(request, act, section="conversations")


@router.get("/correspondence/{message_id}", response_class=HTMLResponse)
def message_form(request: Request, message_id: int) -> Response:
    """Before a message is opened: the ground and the justification."""

    def build(desk: Desk, session: Session) -> Page:
        return "console/message_open.html", _message_context(desk, _row_id(message_id))

    return _page(request, build, section="correspondence")


def _message_context(desk: Desk, number: int, **more: Any) -> dict[str, Any]:
    return {
        "current": "exchanges",
        "id": number,
        "grounds": [(g.value, desk.t(f"ground.{g.value}")) for g in Ground],
        "problem": None,
        "message": None,
        **more,
    }


@router.post("/correspondence/{message_id}", response_class=HTMLResponse)
async def message_open(request: Request, message_id: int) -> Response:
    """The message's text, for the ground and justification given; without them the service
    refuses and records the attempt, and the form says what is missing."""

    def act(desk: Desk, session: Session, form: dict[str, str]) -> Page | Response:
        number = _row_id(message_id)
        justification = _one_line(form.get("justification"), JUSTIFICATION_MAX + 1)
        try:
            asked = Examination.model_validate(
                {"ground": form.get("ground") or None, "justification": justification or None}
            )
        except ValidationError:
            asked = None
        if asked is None or asked.ground is None or asked.justification is None:
            # Asked of the service all the same: it records the attempt refused.
            with contextlib.suppress(InvalidInput):
                correspondence.examine(
                    session,
                    gate=desk.rt.gate,
                    actor=desk.actor,
                    message_id=number,
                    data=Examination(),
                    today=dt.date.today(),
                )
            known = form.get("ground") in {g.value for g in Ground}
            problem = "justification" if known else "ground"
            context = _message_context(desk, number, problem=problem)
            return _render(request, desk, "console/message_open.html", context, status=422)
        examined = correspondence.examine(
            session,
            gate=desk.rt.gate,
            actor=desk.actor,
            message_id=number,
            data=asked,
            today=dt.date.today(),
        )
        return "console/message_open.html", _message_context(
            desk,
            number,
            message=examined,
            ground=desk.t(f"ground.{examined.ground.value}"),
            when=desk.when(examined.received_at),
        )

    return await _posted(request, act, section="correspondence")


# --- complaints --------------------------------------------------------------------------------


@router.get("/complaints", response_class=HTMLResponse)
def complaint_queue(
    request: Request,
    after: int = Query(0, ge=0, le=MAX_ID),
    overdue: bool = Query(False),
) -> Response:
    """The entity's open complaints by number, with their deadlines; those past one first
    marked, or alone with `overdue`."""

    def build(desk: Desk, session: Session) -> Page:
        today = dt.date.today()
        found = complaints.queue(
            session,
            gate=desk.rt.gate,
            actor=desk.actor,
            today=today,
            overdue=overdue,
            after=after,
            limit=COMPLAINTS_PAGE,
        )
        rows = [
            {
                "id": c.id,
                "person": c.person_id,
                "product": desk.t(f"product.{c.product_kind.value}"),
                "cause": desk.t(f"cause.{c.root_cause.value}"),
                "status": desk.t(f"status.{c.status.value}"),
                "received": desk.date(c.received_on),
                "acknowledge_due": desk.date(c.acknowledge_due),
                "answer_due": desk.date(c.answer_due),
                "answer_iso": c.answer_due.isoformat(),
                "overdue": c.overdue,
            }
            for c in found.items
            if c.status is not Status.CLOSED
        ]
        return "console/complaints.html", {
            "current": "complaints",
            "rows": rows,
            "overdue": overdue,
            "next_after": found.next_after,
        }

    return _page(request, build, section="complaints")


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint(
    request: Request,
    complaint_id: int,
    done: str | None = Query(None, max_length=20),
    problem: str | None = Query(None, max_length=20),
) -> Response:
    def build(desk: Desk, session: Session) -> Page:
        found = complaints.get_complaint(
            session,
            gate=desk.rt.gate,
            actor=desk.actor,
            complaint_id=_row_id(complaint_id),
            today=dt.date.today(),
        )
        steps = [
            {
                "when": desk.when(s.at),
                "status": desk.t(f"status.{s.status.value}"),
                "by": s.by,
                "reason": s.reason or "—",
            }
            for s in found.steps
        ]
        return "console/complaint.html", {
            "current": "complaints",
            "c": found,
            "status": desk.t(f"status.{found.status.value}"),
            "product": desk.t(f"product.{found.product_kind.value}"),
            "cause": desk.t(f"cause.{found.root_cause.value}"),
            "received": desk.date(found.received_on),
            "acknowledge_due": desk.date(found.acknowledge_due),
            "answer_due": desk.date(found.answer_due),
            "steps": steps,
            "next": [
                (s.value, desk.t(f"status.{s.value}"))
                for s in Status
                if s in complaints.NEXT[found.status]
            ],
            "done": done == "moved",
            "problem": problem if problem in ("status", "conflict") else None,
        }

    return _page(request, build, section="complaints")


@router.post("/complaints/{complaint_id}/status", response_class=HTMLResponse)
async def complaint_move(request: Request, complaint_id: int) -> Response:
    """One step along received → acknowledged → investigating → answered → closed."""

    def act(desk: Desk, session: Session, form: dict[str, str]) -> Response:
        number = _row_id(complaint_id)
        back = f"{PREFIX}/complaints/{number}"
        try:
            to = Status(form.get("to", ""))
        except ValueError:
            return RedirectResponse(f"{back}?problem=status", status_code=303)
        try:
            complaints.move(
                session,
                gate=desk.rt.gate,
                actor=desk.actor,
                complaint_id=number,
                to=to,
                reason=_one_line(form.get("reason"), REASON_MAX) or None,
                today=dt.date.today(),
                by=desk.who.label,
            )
        except Conflict:  # refused before anything was written
            return RedirectResponse(f"{back}?problem=conflict", status_code=303)
        return RedirectResponse(f"{back}?done=moved", status_code=303)

    return await _posted(request, act, section="complaints")


# --- the ledger --------------------------------------------------------------------------------


@router.get("/ledger", response_class=HTMLResponse)
def ledger_status(request: Request, done: str | None = Query(None, max_length=20)) -> Response:
    """The latest signed tree head, its signature checked with the installation's public key,
    and the verifications kept: the latest, the last ten, and whether the last intact one is
    older than a day (or missing)."""

    def build(desk: Desk, session: Session) -> Page:
        head = ledger.latest_head(session)
        counts = ledger.counts(session)
        signature = None
        public_key = None
        if head is not None:
            keys = desk.rt.keys.verify_keys()
            key = keys.get(head.key_id)
            raw = ledger.public_keys(desk.rt.keys).get(head.key_id)
            public_key = raw.hex() if raw is not None else None
            if key is None:
                signature = False
            else:
                try:
                    key.verify(head.signature, head.message)
                    signature = True
                except InvalidSignature:
                    signature = False
        kept = checks.recent(session, limit=HISTORY_SHOWN)
        intact = checks.last_intact(session)
        now = dt.datetime.now(dt.UTC)
        return "console/ledger.html", {
            "current": "ledger",
            "head": head,
            "signed_at": desk.when(head.signed_at) if head else None,
            "signature": signature,
            "public_key": public_key,
            "counts": counts,
            "last": _verification(desk, kept[0]) if kept else None,
            "history": [_verification(desk, v) for v in kept],
            "intact_at": desk.when(intact.finished_at) if intact else None,
            "stale": intact is None or now - intact.finished_at > STALE_AFTER,
            "may_verify": desk.may("verify"),
            "busy": done == "busy",
            "too_large": f"{counts.sequenced:,}".replace(",", "\u202f")
            if done == "too_large"
            else None,
            "verify_max": f"{VERIFY_MAX:,}".replace(",", "\u202f"),
        }

    return _page(request, build, section="ledger")


def _verification(desk: Desk, kept: checks.Verification) -> dict[str, Any]:
    by = desk.t("ledger.by.cli") if kept.run_by == checks.CLI else kept.run_by
    return {
        "at": desk.when(kept.finished_at),
        "seconds": f"{kept.seconds:.2f}",
        "intact": kept.intact,
        "events": kept.events,
        "tree_size": kept.tree_size,
        "heads": kept.heads,
        "first_bad": kept.first_bad,
        "problem": desk.t(f"problem.{kept.problem.value}") if kept.problem else None,
        "by": by,
    }


@router.post("/ledger/verification", response_class=HTMLResponse)
async def ledger_verify(request: Request) -> Response:
    """Recompute the tree and hold it against every signed head: one run at a time, in this
    process (no worker processes), up to VERIFY_MAX events. The result is kept once the check,
    which only reads, is over: in a transaction of its own, as `lawful ledger verify` does."""
    runs: list[tuple[checks.Timed, str]] = []

    def act(desk: Desk, session: Session, form: dict[str, str]) -> Response:
        if not _VERIFYING.acquire(blocking=False):
            return RedirectResponse(f"{PREFIX}/ledger?done=busy", status_code=303)
        try:
            if ledger.counts(session).sequenced > VERIFY_MAX:
                return RedirectResponse(f"{PREFIX}/ledger?done=too_large", status_code=303)
            run = checks.timed(
                lambda: ledger.verify(session, keys=desk.rt.keys, parallel_from=VERIFY_MAX + 1)
            )
            runs.append((run, desk.who.label))
        finally:
            _VERIFYING.release()
        return RedirectResponse(f"{PREFIX}/ledger?done=verified", status_code=303)

    # Reads only: the sequencer keeps signing while the log is checked.
    response = await _posted(request, act, section="verify", reads=True)
    if runs:
        await run_in_threadpool(_keep, _runtime(request), *runs[0])
    return response


def _keep(rt: Runtime, run: checks.Timed, by: str) -> None:
    with unit_of_work(rt.engine) as session:
        checks.keep(session, run, run_by=by)
