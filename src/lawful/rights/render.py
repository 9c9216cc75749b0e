"""The access report as JSON (for machines), HTML (to read) and PDF (to keep).

The report holds finished strings; rendering only adds the fixed labels of the report's language and
lays out the copy of the data, whose values are formatted for that language here: amounts in euros,
dates, language names, identifiers grouped as they are printed on cards and letters, codes named.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import phonenumbers
from babel import Locale
from babel.dates import format_date, format_time, get_timezone
from babel.numbers import format_currency, format_decimal, format_percent
from jinja2 import Environment, TemplateError
from markupsafe import Markup
from stdnum import iban
from stdnum.be import nn

from lawful.core.errors import RenderError
from lawful.core.register.grammar import long_date
from lawful.core.register.statement import html_to_pdf, strict_environment
from lawful.core.register.views import locale_of
from lawful.rights.labels import TEMPLATES, label, labels, notice
from lawful.rights.schemas import AccessReport

TEMPLATE = "access_report.html.j2"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Instants are stored in UTC; the reader lives in Belgium.
READER_ZONE = get_timezone("Europe/Brussels")


@dataclass
class Node:
    """A value of the copy of the data: a text, a record of labelled values, a list of records,
    or a table (a list of flat records sharing their fields, each column with its share of the
    page width)."""

    text: str | None = None
    fields: list[tuple[str, Node]] = field(default_factory=list)
    rows: list[Node] | None = None
    columns: list[str] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)  # percent of the table's width
    cells: list[list[str]] = field(default_factory=list)


# The person is the subject of the whole report: their id on every row says nothing more; a
# statement sits under its card, a row number refers to nothing the reader sees.
HIDDEN = frozenset({"person_id", "withheld", "card_id", "id"})
# Fields whose values are codes, shown by their name in the report's language.
CODED = (
    "state", "region", "kind", "method", "document_type", "key", "message_topic",
    "message_channel", "message_channels", "delivery", "product", "simulation_channel",
    "simulation_status", "follow_up",
    "conversation_channel", "note_kind",
    "direction", "message_intent",
    "offer_status", "segment", "card_use",
)  # fmt: skip
# How many characters of the tables' type a line of an A4 page holds; beyond MAX_WORD a word may
# be broken anywhere (an e-mail address), and no column asks for more than MAX_CHARS.
LINE_CHARS, MAX_WORD, MAX_CHARS, BOLD = 96, 16, 40, 1.3
RECORD_VALUE_SHARE = 0.62  # a record's values take 65 % of its width, less their padding


@dataclass(frozen=True)
class Formatter:
    lang: str
    names: dict[str, str]  # field -> label
    words: dict[str, str]
    values: dict[str, dict[str, str]]  # field -> code -> name
    entities: dict[str, str]
    brands: dict[str, str]
    purposes: dict[str, str]  # purpose id -> title
    accounts: dict[Any, str]  # account id -> its IBAN, as printed
    identifications: dict[Any, str]  # identification (KYC) id -> who did it, when

    @property
    def locale(self) -> Locale:
        return locale_of(self.lang)

    def name(self, key: str) -> str:
        return self.names.get(key, key)

    def value(self, key: str, value: Any, *, short: bool = False) -> str:
        if value is None or isinstance(value, bool):
            return _scalar(value, self.locale, self.words)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.number(key, value)
        if isinstance(value, str):
            named = self.named(key, value)
            if named is not None:
                return named
        return _scalar(value, self.locale, self.words, "short" if short else "long")

    def number(self, key: str, value: float) -> str:
        if key.endswith("_cents"):
            return format_currency(value / 100, "EUR", locale=self.locale)
        if key == "rate_bp":
            pattern = self.locale.percent_formats[None].pattern.replace("#,##0", "#,##0.00")
            return format_percent(value / 10_000, format=pattern, locale=self.locale)
        if isinstance(value, float):
            return format_decimal(value, format="#,##0.00####", locale=self.locale)
        if key == "account_id":
            return self.accounts.get(value, str(value))
        if key == "reused_from":
            return self.identifications.get(value, str(value))
        return str(value)  # a year, a level, four digits: no thousands separator

    def named(self, key: str, value: str) -> str | None:
        """The value's name when it is a code, or its printed form when it is an identifier."""
        if key == "entity":
            return self.entities.get(value, value)
        if key == "brand":
            return self.brands.get(value, value)
        if key == "purpose":
            return self.purposes.get(value, value)
        if key == "field":
            return self.name(value)
        if key == "language":
            words = self.locale.languages.get(value)
            return words[:1].upper() + words[1:] if words else value
        if key in CODED:
            return self.values.get(key, {}).get(value, value)
        if key == "iban" and iban.is_valid(value):
            return str(iban.format(value))
        if key == "national_number" and nn.is_valid(value):
            return str(nn.format(value))
        if key == "phone":
            return _phone(value)
        return None

    def node(self, key: str, value: Any, room: float = LINE_CHARS) -> Node:
        """`room`: how many characters a line holds where the value is laid out."""
        if isinstance(value, dict):
            shown = [(k, v) for k, v in value.items() if k not in HIDDEN]
            inner = room * RECORD_VALUE_SHARE
            return Node(fields=[(self.name(k), self.node(k, v, inner)) for k, v in shown])
        if isinstance(value, list | tuple):
            if (
                value
                and all(isinstance(v, dict) for v in value)
                and not any(isinstance(x, list | dict) for v in value for x in v.values())
            ):
                return self.table(value, room)
            return Node(rows=[self.node(key, v, room) for v in value])
        return Node(text=self.value(key, value))

    def table(self, rows: Sequence[dict[str, Any]], room: float) -> Node:
        keys = [k for k in dict.fromkeys(k for row in rows for k in row) if k not in HIDDEN]
        columns = [self.name(k) for k in keys]
        cells = [[self.value(k, row.get(k), short=True) for k in keys] for row in rows]
        return Node(columns=columns, widths=_widths(columns, cells, room), cells=cells)


def _widths(columns: list[str], cells: list[list[str]], room: float) -> list[int]:
    """Each column's share of the table: first what its longest word needs (a heading word split
    in two reads badly), then the rest of the line after how long its values run. With these
    widths fixed, a table never runs off the page; a longer value wraps inside its column."""
    floor, want = [], []
    for index, title in enumerate(columns):
        values = [row[index] for row in cells]
        # Headings are bold, hence wider; a non-breaking space (« 420,00 € ») joins a word.
        heading = max((len(w) for w in title.split(" ")), default=1) * BOLD
        value = max((len(w) for text in values for w in text.split(" ")), default=1)
        floor.append(min(max(heading, value, 3), MAX_WORD) + 1)
        longest = max([len(title) * BOLD, *(len(text) for text in values)])
        want.append(min(longest, MAX_CHARS) + 1)
    spare = room - sum(floor)
    slack = [w - f for w, f in zip(want, floor, strict=True)]
    if sum(want) <= room:  # everything fits on one line: share the width as the values run
        chars = [float(w) for w in want]
    elif spare > 0:  # every word fits: the rest goes to the columns whose values run longest
        chars = [f + spare * s / sum(slack) for f, s in zip(floor, slack, strict=True)]
    else:  # too many columns: their longest words decide, and the longest wrap anywhere
        chars = [float(f) for f in floor]
    shares = [100 * c / sum(chars) for c in chars]
    whole = [int(share) for share in shares]
    # Largest remainders get the points rounding down left over: the shares add up to 100 exactly,
    # and a fixed table whose columns added up to more would grow past the page.
    by_remainder = sorted(range(len(shares)), key=lambda i: whole[i] - shares[i])
    for index in by_remainder[: 100 - sum(whole)]:
        whole[index] += 1
    return whole


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@cache
def _env() -> Environment:
    return strict_environment(TEMPLATES)


@cache
def _css() -> Markup:
    return Markup((TEMPLATES / "access_report.css").read_text(encoding="utf-8"))


def to_json(report: AccessReport) -> bytes:
    return report.model_dump_json(indent=2).encode("utf-8")


def _scalar(value: Any, locale: Locale, words: Mapping[str, str], length: str = "long") -> str:
    if value is None:
        return words["empty"]
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        local = aware.astimezone(READER_ZONE)
        day = format_date(local, "medium", locale=locale) if length == "short" else None
        time = format_time(local, "short", locale=locale)
        return f"{day or long_date(local.date(), locale)} {time}"
    if isinstance(value, dt.date):
        return (
            format_date(value, "medium", locale=locale)
            if length == "short"
            else long_date(value, locale)
        )
    if isinstance(value, str) and _INSTANT.match(value):
        try:
            return _scalar(dt.datetime.fromisoformat(value), locale, words, length)
        except ValueError:
            return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return _scalar(dt.date.fromisoformat(value), locale, words, length)
        except ValueError:
            return value
    return str(value)


def _titles(report: AccessReport) -> dict[str, str]:
    """Purpose titles the report already carries, for codes in the data (consents)."""
    titles = {p.id: p.title for p in report.purposes}
    for line in report.timeline:
        if line.purpose:
            titles.setdefault(line.purpose, line.purpose_title)
    for objection in report.objections:
        if objection.purpose:
            titles.setdefault(objection.purpose, objection.purpose_title)
    return titles


def formatter(report: AccessReport) -> Formatter:
    texts = labels(report.lang)
    data = report.data
    fmt = Formatter(
        lang=report.lang,
        names=texts["fields"],
        words=texts["words"],
        values=texts["values"],
        entities=report.entities,
        brands={report.brand: report.brand_name},
        purposes=_titles(report),
        accounts={},
        identifications={},
    )
    for account in data.get("accounts") or []:
        fmt.accounts[account.get("id")] = fmt.value("iban", account.get("iban"))
    for kyc in data.get("kyc") or []:
        fmt.identifications[kyc.get("id")] = label(
            report.lang,
            "words.identification",
            entity=fmt.value("entity", kyc.get("entity")),
            date=fmt.value("performed_on", kyc.get("performed_on")),
        )
    return fmt


def data_view(report: AccessReport) -> list[tuple[str, Node]]:
    """The copy of the data, section by section, ready for the template."""
    fmt = formatter(report)
    titles = labels(report.lang)["sections"]
    return [(titles.get(k, k), fmt.node(k, v)) for k, v in report.data.items()]


def _reading_notice(report: AccessReport, asked: str | None = None) -> list[tuple[str, str]]:
    """When the person asked for a language we do not answer in: which one they read, and why.
    `asked`: the language they chose for this reading, else the one on their file."""
    wanted = asked or (report.data.get("contact") or {}).get("language")
    if not wanted or wanted == report.lang:
        return []
    return notice(wanted, report.lang)


def to_html(report: AccessReport, *, asked: str | None = None) -> str:
    """The report as HTML; `asked`: the language the reader chose for it (see `_reading_notice`)."""
    lang = report.lang
    locale = locale_of(lang)
    try:
        return (
            _env()
            .get_template(TEMPLATE)
            .render(
                r=report,
                t=labels(lang),
                title=label(lang, "report.title", brand=report.brand_name),
                generated=long_date(report.generated_on, locale),
                data=data_view(report),
                notice=_reading_notice(report, asked),
                css=_css(),
            )
        )
    except TemplateError as exc:
        raise RenderError(f"{TEMPLATE}: {exc.message}") from None


def to_pdf(report: AccessReport, *, asked: str | None = None) -> bytes:
    return html_to_pdf(to_html(report, asked=asked))
