"""The customer's privacy centre: server-rendered pages over the services the API uses.

Every page opens one unit of work, authenticates the session's token as the API authenticates a
bearer token, and calls the same services under the same purposes as the API's routes: the gate
decides and the ledger records, whether the customer came through the app or through this page.
URLs name no person: the person is the session's, so another customer's data has no address here;
an objection's number that is not the customer's answers 404.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from lawful.auth import service as auth
from lawful.auth.schemas import Principal, PrincipalKind
from lawful.core.db import is_busy
from lawful.core.errors import (
    Conflict,
    InvalidInput,
    LawfulError,
    NotFound,
    NotPermitted,
    Unauthenticated,
)
from lawful.core.gate import unit_of_work
from lawful.core.register import statement
from lawful.core.register.languages import reading_language
from lawful.core.register.models import LegalBasis, Purpose
from lawful.core.runtime import Runtime
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.engagement import service as engagement
from lawful.engagement.schemas import MAX_REMINDER_DAYS
from lawful.flows import access_report as access
from lawful.rights import service as rights
from lawful.rights.language import TextBuilder, builder
from lawful.rights.schemas import AccessReport, ObjectionKind, ObjectionState
from lawful.web.deps import MAX_ID, actor_of
from lawful.web.headers import API_CSP
from lawful.webui import session as cookies
from lawful.webui.texts import LANGUAGE_NAMES, LANGUAGES, text

PREFIX = "/privacy"
TIMELINE_PAGE = 50
MAX_PAGE = 100_000
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}
PAGES = ("data", "timeline", "choices", "requests", "complaints", "assistant", "statement")
DONE = (
    "object",
    "withdraw",
    "consent",
    "unconsent",
    "notifications",
    "quiet",
    "quiet_off",
    "language",
    "reminder",
)
PROBLEMS = ("mandatory", "quiet")
HERE = Path(__file__).parent
STATIC = HERE / "static"

router = APIRouter(prefix=PREFIX, include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")
# WeasyPrint renders one PDF at a time per process (see rights.api).
_PDF_RENDERS = threading.Lock()
_STATEMENTS: dict[tuple[str, str, str], bytes] = {}


@dataclass(frozen=True)
class Visit:
    """Who is on the page, in which language and under which brand."""

    rt: Runtime
    who: Principal
    person: PersonRead
    lang: str
    token: str

    @property
    def person_id(self) -> str:
        assert self.who.person_id is not None
        return self.who.person_id

    @property
    def today(self) -> dt.date:
        return dt.date.today()

    def t(self, key: str, **values: str) -> str:
        return text(self.lang, key, **values)

    def date(self, day: dt.date) -> str:
        return format_date(day, "long", locale=LOCALES[self.lang])


Page = tuple[str, dict[str, Any]]


def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.lawful
    return rt


def _wanted_language(request: Request) -> str | None:
    chosen = request.cookies.get(cookies.LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else None


def _browser_language(request: Request) -> str:
    """For pages before login: the first of the browser's languages the centre speaks."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "fr"


def _authenticated(session: Session, rt: Runtime, token: str | None) -> Principal | None:
    if token is None:
        return None
    try:
        who = auth.authenticate(session, states=rt.gate.states, token=token)
    except Unauthenticated:
        return None
    return who if who.kind is PrincipalKind.CUSTOMER and who.person_id else None


def _visit(request: Request, session: Session) -> Visit | None:
    rt = _runtime(request)
    token = cookies.session_token(request)
    who = _authenticated(session, rt, token)
    if who is None or token is None:
        return None
    person = customers.get_person(
        session, gate=rt.gate, actor=actor_of(who), person_id=str(who.person_id)
    )
    register = rt.register
    wanted = _wanted_language(request) or person.language
    lang = reading_language(register, brand=register.brand(person.brand), wanted=wanted)
    return Visit(rt, who, person, lang if lang in LANGUAGES else "en", token)


def _to_login(request: Request) -> RedirectResponse:
    """To the login; a session cookie the request carried is ended. A request without one (a
    link followed from another site, which the SameSite=Strict cookie does not accompany) leaves
    the browser's session as it is."""
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    if cookies.SESSION_COOKIE in request.cookies:
        cookies.close_session(response)
    return response


def _render(
    request: Request, visit: Visit | None, name: str, context: Mapping[str, Any], status: int = 200
) -> HTMLResponse:
    lang = visit.lang if visit else _wanted_language(request) or _browser_language(request)
    base: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **values: text(lang, key, **values),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "visit": visit,
        "csrf": cookies.csrf_token(visit.token) if visit else None,
        "staff": None,
        "brand": visit.person.brand if visit else None,
        "brand_name": _brand_name(visit) if visit else None,
        # Where the language switch brings the reader back: this page, at the same place.
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "menu": PAGES,
        "prefix": PREFIX,
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _brand_name(visit: Visit) -> str:
    brand = visit.rt.register.brand(visit.person.brand)
    return brand.name.get(visit.lang) or visit.person.brand


def _page(
    request: Request, build: Callable[[Visit, Session], Page | Response], *, reads: bool = True
) -> Response:
    """Open the unit of work, authenticate the session, build the page; the page is rendered
    once the transaction is committed.

    A page that `reads` runs as the API's GET routes do: without SQLite's write lock, its ledger
    entries written by the group commit; should it write anything else and find the lock taken,
    it runs again from the start holding the lock from its first statement."""
    rt = _runtime(request)
    try:
        try:
            return _built(request, rt, build, grouped=reads)
        except OperationalError as exc:
            if not (reads and is_busy(exc)):
                raise
        return _built(request, rt, build, grouped=False)
    except (NotFound, NotPermitted):
        return _not_found(request)


def _built(
    request: Request,
    rt: Runtime,
    build: Callable[[Visit, Session], Page | Response],
    *,
    grouped: bool,
) -> Response:
    visit: Visit | None = None
    try:
        with unit_of_work(rt.engine, commits=rt.commits if grouped else None) as session:
            visit = _visit(request, session)
            if visit is None:
                return _to_login(request)
            built = build(visit, session)
    except (NotFound, NotPermitted):
        # In the customer's language and brand, with the menu: nothing about why.
        return _render(request, visit, "message.html", {"key": "notfound"}, status=404)
    if isinstance(built, Response):
        return built
    name, context = built
    return _render(request, visit, name, context)


def _not_found(request: Request) -> HTMLResponse:
    return _render(request, None, "message.html", {"key": "notfound"}, status=404)


# --- login, logout, language -------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def home() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/data", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token, fresh = cookies.login_token(request)
    response = _render(
        request, None, "login.html", {"login_csrf": token, "error": error}, status=status
    )
    if fresh:
        cookies.keep_login_token(response, token)
    return response


async def _form(request: Request) -> dict[str, str]:
    """The posted form (application/x-www-form-urlencoded): one value per field. A body with
    more fields than any form of the centre is no form of its pages: empty, so that its CSRF
    check refuses it (403) and nothing is done."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        fields = parse_qs(body, max_num_fields=20)
    except ValueError:
        return {}
    return {k: v[0] for k, v in fields.items()}


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await _form(request)
    if not cookies.login_valid(request, form.get(cookies.CSRF_FIELD)):
        return _refused(request)
    token = form.get("token", "").strip()
    return await run_in_threadpool(_log_in, request, token)


def _log_in(request: Request, token: str) -> Response:
    rt = _runtime(request)
    who: Principal | None = None
    if token and len(token) <= 200:
        try:
            with unit_of_work(rt.engine) as session:
                who = auth.authenticate(session, states=rt.gate.states, token=token)
        except Unauthenticated:
            who = None
    if who is None:
        return _login_page(request, "login.refused", status=401)
    if who.kind is PrincipalKind.STAFF and who.role == rights.DPO:
        target = f"{PREFIX}/dpo"
    elif who.kind is PrincipalKind.CUSTOMER:
        target = f"{PREFIX}/data"
    elif who.kind is PrincipalKind.STAFF:
        # Other staff work in the console, which shares this session.
        target = f"{PREFIX}/console"
    else:
        return _login_page(request, "login.staff", status=403)
    try:
        with unit_of_work(rt.engine) as session:
            issued = auth.open_session(session, token=token, principal=who)
    except Unauthenticated:
        return _login_page(request, "login.refused", status=401)
    response = RedirectResponse(target, status_code=303)
    cookies.open_session(response, issued.token)
    return response


def end_session(rt: Runtime, token: str | None) -> None:
    """Revoke the session's own token (see `session`): the cookie is worth nothing afterwards."""
    if token and len(token) <= 200:
        with unit_of_work(rt.engine) as session:
            auth.end_session(session, token=token)


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    form = await _form(request)
    token = cookies.session_token(request)
    if not cookies.csrf_valid(token, form.get(cookies.CSRF_FIELD)):
        return _refused(request)
    await run_in_threadpool(end_session, _runtime(request), token)
    return _to_login(request)


def _refused(request: Request) -> HTMLResponse:
    return _render(request, None, "message.html", {"key": "csrf"}, status=403)


@router.get("/language/{lang}", response_class=HTMLResponse)
def language(
    request: Request, lang: str, next: str = Query("/privacy/data", max_length=200)
) -> Response:
    """Switch the language (a preference of this browser, kept a year); back to the same page."""
    if lang not in LANGUAGES:
        return _not_found(request)
    back = next if _local(next) else f"{PREFIX}/data"
    response = RedirectResponse(back, status_code=303)
    cookies.keep_language(response, lang)
    return response


def _local(path: str) -> bool:
    """Only back to a page of the centre: never to another site."""
    page = path.split("?", 1)[0]
    return page.startswith(PREFIX + "/") and "//" not in path and "\\" not in path


# --- my data -----------------------------------------------------------------------------------


def _report(visit: Visit, session: Session) -> tuple[rights.ReportData, AccessReport]:
    """The access report, as the API's access-report route makes it, worded in the page's
    language (the file itself is not changed)."""
    data = access.access_report(
        session,
        gate=visit.rt.gate,
        actor=actor_of(visit.who),
        person_id=visit.person_id,
        today=visit.today,
        registered_by=visit.who.label,
    )
    file = dict(data.file)
    contact = dict(file.get("contact") or {})
    contact["language"] = visit.lang
    file["contact"] = contact
    view = rights.report_view(visit.rt.register, replace(data, file=file))
    # Worded in the page's language; the copy of the data stays as it is on file.
    return data, view.model_copy(update={"data": data.file})


@router.get("/data", response_class=HTMLResponse)
def my_data(request: Request) -> Response:
    """The file's details and, per purpose, what was done with the data: a summary read from the
    ledger in one statement. The whole report (every domain's export, every event proven) is
    built only when it is downloaded, and only then is it an access request answered."""

    def build(visit: Visit, session: Session) -> Page:
        summary = rights.data_summary(
            session,
            gate=visit.rt.gate,
            actor=actor_of(visit.who),
            person_id=visit.person_id,
            today=visit.today,
            language=visit.lang,
            brand=visit.person.brand,
        )
        rows = [
            {
                "title": p.title,
                "events": format_decimal(p.events, locale=LOCALES[visit.lang]),
                "last": visit.date(p.last),
                "last_iso": p.last.isoformat(),
                "categories": p.categories,
                "entities": p.entities,
            }
            for p in summary.purposes
        ]
        return "data.html", {"details": _details(visit), "purposes": rows, "current": "data"}

    return _page(request, build)


def _details(visit: Visit) -> list[tuple[str, str]]:
    """The person's details on file, as the page's first read of the session found them."""
    person = visit.person
    address = ", ".join(
        part
        for part in (person.street, " ".join(filter(None, (person.postcode, person.city))))
        if part
    )
    shown = [
        ("name", " ".join(filter(None, (person.first_name, person.last_name)))),
        ("birth_date", visit.date(person.birth_date) if person.birth_date else ""),
        ("email", person.email or ""),
        ("phone", person.phone or ""),
        ("address", address),
        ("language", LANGUAGE_NAMES.get(person.language or "", person.language or "")),
    ]
    return [(visit.t(f"data.field.{key}"), value) for key, value in shown if value]


@router.get("/timeline", response_class=HTMLResponse)
def my_timeline(request: Request, page: int = Query(1, ge=1, le=MAX_PAGE)) -> Response:
    def build(visit: Visit, session: Session) -> Page:
        found = rights.timeline_page(
            session,
            gate=visit.rt.gate,
            actor=actor_of(visit.who),
            person_id=visit.person_id,
            today=visit.today,
            language=visit.lang,
            brand=visit.person.brand,
            page=page,
            size=TIMELINE_PAGE,
        )
        lines = [
            (line.entry, line.proven, _when(visit, line.entry.occurred_at)) for line in found.lines
        ]
        return "timeline.html", {
            "summary": found.summary,
            "lines": lines,
            "page": found.page,
            "pages": found.pages,
            "current": "timeline",
        }

    return _page(request, build)


def _when(visit: Visit, at: dt.datetime) -> str:
    return format_datetime(at, "medium", tzinfo=dt.UTC, locale=LOCALES[visit.lang])


@router.get("/report.{fmt}")
def my_report(request: Request, fmt: str) -> Response:
    """The whole access report, as the API gives it (HTML or PDF), in the page's language."""
    if fmt not in ("html", "pdf"):
        return _not_found(request)

    def build(visit: Visit, session: Session) -> Response:
        _, report = _report(visit, session)
        return _Deferred(report, fmt, _wanted_language(request))

    built = _page(request, build)
    if isinstance(built, _Deferred):
        return built.finish()
    return built


class _Deferred(Response):
    """A report to render once its transaction is committed: no lock held while a PDF renders."""

    def __init__(self, report: AccessReport, fmt: str, asked: str | None) -> None:
        super().__init__()
        self.report, self.fmt, self.asked = report, fmt, asked

    def finish(self) -> Response:
        name = f"report-{self.report.generated_on.isoformat()}.{self.fmt}"
        if self.fmt == "pdf":
            with _PDF_RENDERS:
                body = rights.to_pdf(self.report, asked=self.asked)
            return Response(
                body,
                media_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return Response(
            rights.to_html(self.report, asked=self.asked),
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": API_CSP},
        )


# --- my choices --------------------------------------------------------------------------------


def _dm_objection(objections: list[Any]) -> Any | None:
    standing = (ObjectionState.PENDING, ObjectionState.UPHELD)
    return next(
        (
            o
            for o in objections
            if o.kind is ObjectionKind.DIRECT_MARKETING
            and o.purpose is None
            and o.status in standing
        ),
        None,
    )


@router.get("/choices", response_class=HTMLResponse)
def my_choices(
    request: Request,
    done: str | None = Query(None, max_length=20),
    problem: str | None = Query(None, max_length=20),
) -> Response:
    def build(visit: Visit, session: Session) -> Page:
        gate, actor = visit.rt.gate, actor_of(visit.who)
        objections = rights.list_objections(
            session, gate=gate, actor=actor, person_id=visit.person_id, today=visit.today
        )
        preferences = engagement.get_preferences(
            session, gate=gate, actor=actor, person_id=visit.person_id, today=visit.today
        )
        states = visit.rt.gate.states.load(session, [visit.person_id], as_of=visit.today)
        given = states[visit.person_id].consents if visit.person_id in states else frozenset()
        texts = _texts(visit)
        consents = [
            {
                "id": p.id,
                "title": texts.text(p.title, f"purposes[{p.id}].title"),
                "description": texts.text(p.description, f"purposes[{p.id}].description"),
                "given": p.id in given,
                "blocked": p.direct_marketing and _dm_objection(objections) is not None,
            }
            for p in _consent_purposes(visit)
        ]
        topics = {t.id: t for t in visit.rt.register.notification_topics}
        rows = [
            {
                "id": t.topic,
                "title": topics[t.topic].title.get(visit.lang, t.title)
                if t.topic in topics
                else t.title,
                "mandatory": t.mandatory,
                "effect": visit.t(f"notify.effect.{_effect(visit, t)}"),
                "channels": [
                    {"id": c.value, "name": visit.t(f"channel.{c.value}"), "on": c in t.channels}
                    for c in t.available_channels
                ],
                "effective": [visit.t(f"channel.{c.value}") for c in t.effective_channels],
                "withheld": sorted({visit.t(f"withheld.{why}") for why in t.withheld.values()}),
            }
            for t in preferences.topics
        ]
        quiet = preferences.quiet_hours
        listed = [
            {
                "id": o.id,
                "title": _purpose_title(visit, o.purpose),
                "status": visit.t(f"objection.{o.status.value}"),
                "received": visit.t("objection.received", date=visit.date(o.received_at.date())),
            }
            for o in objections
        ]
        return "choices.html", {
            "dm": _dm_objection(objections),
            "objections": listed,
            "topics": rows,
            "consents": consents,
            "quiet": {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M")}
            if quiet
            else None,
            "message_language": preferences.language,
            "reminder_days": preferences.card_reminder_days,
            "max_reminder_days": MAX_REMINDER_DAYS,
            "done": done if done in DONE else None,
            "problem": problem if problem in PROBLEMS else None,
            "current": "choices",
        }

    return _page(request, build)


def _effect(visit: Visit, topic: Any) -> str:
    """Which plain words say what choosing this topic's channels changes."""
    if topic.mandatory:
        return "mandatory"
    declared = {t.id: t for t in visit.rt.register.notification_topics}.get(topic.topic)
    if declared is not None and visit.rt.register.purpose(declared.purpose).requires_consent:
        return "consent"
    return "marketing" if topic.kind.value == "marketing" else "service"


def _purpose_title(visit: Visit, purpose: str | None) -> str:
    if purpose is None:
        return visit.t("objection.dm")
    try:
        declared = visit.rt.register.purpose(purpose)
    except KeyError:
        return purpose
    return _texts(visit).text(declared.title, f"purposes[{purpose}].title")


def _texts(visit: Visit) -> TextBuilder:
    return builder(visit.rt.register, language=visit.lang, brand=visit.person.brand)


def _consent_purposes(visit: Visit) -> list[Purpose]:
    """The purposes that rest on the person's consent, as the statement shows them."""
    return [
        p
        for p in visit.rt.register.purposes
        if p.statement and (p.requires_consent or p.legal_basis is LegalBasis.CONSENT)
    ]


async def _posted(request: Request, act: Callable[[Visit, Session], Response]) -> Response:
    """A form of the session: its CSRF token checked before anything else is done."""
    return await _posted_form(request, lambda visit, session, form: act(visit, session))


async def _posted_form(
    request: Request, act: Callable[[Visit, Session, dict[str, str]], Response | Page]
) -> Response:
    """As `_posted`, the act given the form's fields; it may answer with a page of its own."""
    form = await _form(request)
    token = cookies.session_token(request)
    if token is None:
        return _to_login(request)
    if not cookies.csrf_valid(token, form.get(cookies.CSRF_FIELD)):
        return _refused(request)
    return await run_in_threadpool(
        partial(_page, reads=False), request, lambda visit, session: act(visit, session, form)
    )


@router.post("/choices/direct-marketing", response_class=HTMLResponse)
async def object_to_direct_marketing(request: Request) -> Response:
    def act(visit: Visit, session: Session) -> Response:
        actor = actor_of(visit.who)
        objections = rights.list_objections(
            session, gate=visit.rt.gate, actor=actor, person_id=visit.person_id, today=visit.today
        )
        if _dm_objection(objections) is None:
            rights.object(
                session,
                gate=visit.rt.gate,
                actor=actor,
                person_id=visit.person_id,
                purpose=None,
                grounds=None,
                channel=rights.channel_of(actor),
                registered_by=visit.who.label,
                today=visit.today,
            )
        return RedirectResponse(f"{PREFIX}/choices?done=object", status_code=303)

    return await _posted(request, act)


@router.post("/choices/objections/{objection_id}/withdrawal", response_class=HTMLResponse)
async def withdraw(request: Request, objection_id: int) -> Response:
    def act(visit: Visit, session: Session) -> Response:
        if not 1 <= objection_id <= MAX_ID:  # beyond the key's range: nobody's
            raise NotFound("no such objection")
        rights.withdraw_objection(
            session,
            gate=visit.rt.gate,
            actor=actor_of(visit.who),
            objection_id=objection_id,
            person_id=visit.person_id,
            today=visit.today,
        )
        return RedirectResponse(f"{PREFIX}/choices?done=withdraw", status_code=303)

    try:
        return await _posted(request, act)
    except LawfulError:
        return _not_found(request)


@router.post("/choices/consents/{purpose}/{change}", response_class=HTMLResponse)
async def consent(request: Request, purpose: str, change: str) -> Response:
    """Give consent for a purpose that rests on it (`given`), or withdraw it (`withdrawn`)."""

    def act(visit: Visit, session: Session) -> Response:
        if change not in ("given", "withdrawn") or purpose not in {
            p.id for p in _consent_purposes(visit)
        }:
            raise NotFound("no such choice")
        call = customers.give_consent if change == "given" else customers.withdraw_consent
        call(
            session,
            gate=visit.rt.gate,
            actor=actor_of(visit.who),
            person_id=visit.person_id,
            purpose=purpose,
        )
        done = "consent" if change == "given" else "unconsent"
        return RedirectResponse(f"{PREFIX}/choices?done={done}", status_code=303)

    return await _posted(request, act)


# --- my requests, the statement ----------------------------------------------------------------


@router.get("/requests", response_class=HTMLResponse)
def my_requests(request: Request) -> Response:
    def build(visit: Visit, session: Session) -> Page:
        found = rights.list_requests(
            session,
            gate=visit.rt.gate,
            actor=actor_of(visit.who),
            person_id=visit.person_id,
            today=visit.today,
        )
        rows = [
            {
                "type": visit.t(f"type.{r.type.value}"),
                "received": visit.date(r.received_on),
                "deadline": visit.date(r.deadline),
                "deadline_iso": r.deadline.isoformat(),
                "status": visit.t(f"status.{r.status.value}"),
                "extended": visit.t("requests.extended", reason=r.extension_reason)
                if r.extension_reason
                else None,
            }
            for r in found
        ]
        return "requests.html", {"rows": rows, "current": "requests"}

    return _page(request, build)


@router.get("/statement", response_class=HTMLResponse)
def my_statement(request: Request) -> Response:
    return _page(request, lambda visit, session: ("statement.html", {"current": "statement"}))


@router.get("/statement.{fmt}")
def statement_file(request: Request, fmt: str) -> Response:
    """The privacy statement of the customer's brand in the page's language, summary first:
    the same document `lawful statement render` writes."""
    if fmt not in ("html", "pdf"):
        return _not_found(request)
    built = _page(request, lambda visit, session: _StatementOf(visit.person.brand, visit.lang))
    if not isinstance(built, _StatementOf):
        return built
    rt = _runtime(request)
    key = (built.brand, built.lang, fmt)
    rendered = _rendered_statement(request, built.brand, built.lang, fmt)
    if rendered is not None:
        body = rendered.read_bytes()
    else:
        if key not in _STATEMENTS:
            # Rendered once per process, brand, language and format.
            if fmt == "pdf":
                with _PDF_RENDERS:
                    pdf = statement.render_pdf(rt.register, brand=key[0], lang=key[1])
                _STATEMENTS[key] = pdf
            else:
                html = statement.render_html(rt.register, brand=key[0], lang=key[1])
                _STATEMENTS[key] = html.encode()
        body = _STATEMENTS[key]
    if fmt == "pdf":
        name = statement.file_name(built.brand, built.lang, "pdf")
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Response(
        body, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": API_CSP}
    )


def _rendered_statement(request: Request, brand: str, lang: str, fmt: str) -> Path | None:
    """The statement file `lawful demo` or `lawful statement render` wrote, when the app serves
    that folder and the file is there."""
    folder: Path | None = getattr(request.app.state, "statements", None)
    if folder is None:
        return None
    path = folder / statement.file_name(brand, lang, fmt)
    return path if path.is_file() else None


class _StatementOf(Response):
    def __init__(self, brand: str, lang: str) -> None:
        super().__init__()
        self.brand, self.lang = brand, lang


# --- the DPO's queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffVisit:
    rt: Runtime
    who: Principal
    lang: str
    token: str


def _dpo_page(
    request: Request, build: Callable[[StaffVisit, Session], Page | Response]
) -> Response:
    """As `_page`, for the data protection officer's token: without a session, the login; any
    other session, not found."""
    rt = _runtime(request)
    token = cookies.session_token(request)
    with unit_of_work(rt.engine) as session:
        try:
            who = auth.authenticate(session, states=rt.gate.states, token=token) if token else None
        except Unauthenticated:
            who = None
        if token is None or who is None:
            return _to_login(request)
        if who.kind is not PrincipalKind.STAFF or who.role != rights.DPO:
            # A customer's or another role's session stays as it is: this page is not theirs.
            return _not_found(request)
        lang = _wanted_language(request) or _browser_language(request)
        visit = StaffVisit(rt, who, lang, token)
        built = build(visit, session)
    if isinstance(built, Response):
        return built
    name, context = built
    return _render(request, None, name, context)


@router.get("/dpo", response_class=HTMLResponse)
def dpo_queue(
    request: Request,
    done: str | None = Query(None, max_length=20),
    problem: str | None = Query(None, max_length=20),
) -> Response:
    def build(visit: StaffVisit, session: Session) -> Page:
        queue = rights.objection_queue(
            session, gate=visit.rt.gate, actor=actor_of(visit.who), today=dt.date.today()
        )
        locale = LOCALES[visit.lang]
        rows = [
            {
                "id": o.id,
                "person": o.person_id,
                "purpose": _staff_purpose_title(visit, o.purpose),
                "received": format_date(o.received_at.date(), "long", locale=locale),
                "deadline": format_date(o.deadline, "long", locale=locale),
                "deadline_iso": o.deadline.isoformat(),
            }
            for o in queue
        ]
        return "dpo.html", {
            "rows": rows,
            "done": done if done in ("upheld", "rejected") else None,
            "problem": problem if problem in ("grounds", "decided") else None,
            "staff_csrf": cookies.csrf_token(visit.token),
            "staff": visit,
        }

    return _dpo_page(request, build)


def _staff_purpose_title(visit: StaffVisit, purpose: str | None) -> str:
    if purpose is None:
        return text(visit.lang, "objection.dm")
    try:
        title = visit.rt.register.purpose(purpose).title
    except KeyError:
        return purpose
    return str(title.get(visit.lang) or purpose).replace("{brand}", "KBC")


@router.get("/dpo/objections/{objection_id}", response_class=HTMLResponse)
def dpo_objection(
    request: Request, objection_id: int, problem: str | None = Query(None, max_length=20)
) -> Response:
    """One objection with the person's grounds, and the decision form."""

    def build(visit: StaffVisit, session: Session) -> Page:
        if not 1 <= objection_id <= MAX_ID:  # beyond the key's range: nobody's
            raise NotFound("no such objection")
        found = rights.objection_to_decide(
            session,
            gate=visit.rt.gate,
            actor=actor_of(visit.who),
            objection_id=objection_id,
            today=dt.date.today(),
        )
        locale = LOCALES[visit.lang]
        return "dpo_objection.html", {
            "o": found,
            "purpose": _staff_purpose_title(visit, found.purpose),
            "received": format_date(found.received_at.date(), "long", locale=locale),
            "pending": found.status is ObjectionState.PENDING,
            "problem": "grounds" if problem == "grounds" else None,
            "status": text(visit.lang, f"objection.{found.status.value}"),
            "staff_csrf": cookies.csrf_token(visit.token),
            "staff": visit,
        }

    try:
        return _dpo_page(request, build)
    except (NotFound, NotPermitted):
        return _not_found(request)


@router.post("/dpo/objections/{objection_id}/decision", response_class=HTMLResponse)
async def dpo_decide(request: Request, objection_id: int) -> Response:
    form = await _form(request)
    token = cookies.session_token(request)
    if token is None:
        return _to_login(request)
    if not cookies.csrf_valid(token, form.get(cookies.CSRF_FIELD)):
        return _refused(request)
    upheld = form.get("decision") == "uphold"
    grounds = form.get("grounds", "").strip() or None

    def act(visit: StaffVisit, session: Session) -> Response:
        if not 1 <= objection_id <= MAX_ID:  # beyond the key's range: nobody's
            raise NotFound("no such objection")
        rights.decide_objection(
            session,
            gate=visit.rt.gate,
            actor=actor_of(visit.who),
            objection_id=objection_id,
            upheld=upheld,
            grounds=grounds,
            today=dt.date.today(),
        )
        outcome = "upheld" if upheld else "rejected"
        return RedirectResponse(f"{PREFIX}/dpo?done={outcome}", status_code=303)

    def decide() -> Response:
        try:
            return _dpo_page(request, act)
        except InvalidInput:
            back = f"{PREFIX}/dpo/objections/{objection_id}?problem=grounds"
            return RedirectResponse(back, status_code=303)
        except Conflict:
            return RedirectResponse(f"{PREFIX}/dpo?problem=decided", status_code=303)
        except (NotFound, NotPermitted):
            return _not_found(request)

    return await run_in_threadpool(decide)


# The pages added beside these (notifications, the assistant, complaints) register on `router`.
from lawful.webui import pages as _pages  # noqa: E402,F401
