"""The access report as JSON (for machines), HTML (to read) and PDF (to keep).

The report holds finished strings; rendering only adds the fixed labels of the report's language and
lays out the copy of the data, whose values are formatted for that language here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from babel.dates import format_date, format_datetime
from jinja2 import Environment, TemplateError
from markupsafe import Markup

from lawful.core.errors import RenderError
from lawful.core.register.statement import html_to_pdf, strict_environment
from lawful.rights.labels import TEMPLATES, label, labels
from lawful.rights.schemas import AccessReport

TEMPLATE = "access_report.html.j2"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Node:
    """A value of the copy of the data: a text, a record of labelled values, a list of records,
    or a table (a list of flat records sharing their fields)."""

    text: str | None = None
    fields: list[tuple[str, Node]] = field(default_factory=list)
    rows: list[Node] | None = None
    columns: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)


# The person is the subject of the whole report: their id on every row says nothing more.
HIDDEN = frozenset({"person_id", "withheld"})
# Fields whose values are codes, shown by their name in the report's language.
CODED = ("state", "region", "kind", "method", "document_type")


@dataclass(frozen=True)
class Formatter:
    lang: str
    names: dict[str, str]  # field -> label
    words: dict[str, str]
    values: dict[str, dict[str, str]]  # field -> code -> name
    entities: dict[str, str]

    def name(self, key: str) -> str:
        return self.names.get(key, key)

    def value(self, key: str, value: Any, *, short: bool = False) -> str:
        if key == "entity" and isinstance(value, str):
            return self.entities.get(value, value)
        if key in CODED and isinstance(value, str):
            return self.values.get(key, {}).get(value, value)
        return _scalar(value, self.lang, self.words, "short" if short else "long")

    def node(self, key: str, value: Any) -> Node:
        if isinstance(value, dict):
            shown = [(k, v) for k, v in value.items() if k not in HIDDEN]
            return Node(fields=[(self.name(k), self.node(k, v)) for k, v in shown])
        if isinstance(value, list | tuple):
            if (
                value
                and all(isinstance(v, dict) for v in value)
                and not any(isinstance(x, list | dict) for v in value for x in v.values())
            ):
                return self.table(value)
            return Node(rows=[self.node(key, v) for v in value])
        return Node(text=self.value(key, value))

    def table(self, rows: Sequence[dict[str, Any]]) -> Node:
        keys = [k for k in dict.fromkeys(k for row in rows for k in row) if k not in HIDDEN]
        return Node(
            columns=[self.name(k) for k in keys],
            cells=[[self.value(k, row.get(k), short=True) for k in keys] for row in rows],
        )


@cache
def _env() -> Environment:
    return strict_environment(TEMPLATES)


@cache
def _css() -> Markup:
    return Markup((TEMPLATES / "access_report.css").read_text(encoding="utf-8"))


def to_json(report: AccessReport) -> bytes:
    return report.model_dump_json(indent=2).encode("utf-8")


def _scalar(value: Any, lang: str, words: dict[str, str], length: str = "long") -> str:
    if value is None:
        return words["empty"]
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if isinstance(value, dt.datetime):
        return format_datetime(value, "short" if length == "short" else "medium", locale=lang)
    if isinstance(value, dt.date):
        return format_date(value, length, locale=lang)
    if isinstance(value, str) and _INSTANT.match(value):
        try:
            return _scalar(dt.datetime.fromisoformat(value), lang, words, length)
        except ValueError:
            return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return _scalar(dt.date.fromisoformat(value), lang, words, length)
        except ValueError:
            return value
    return str(value)


def data_view(report: AccessReport) -> list[tuple[str, Node]]:
    """The copy of the data, section by section, ready for the template."""
    texts = labels(report.lang)
    fmt = Formatter(
        lang=report.lang,
        names=texts["fields"],
        words=texts["words"],
        values=texts["values"],
        entities=report.entities,
    )
    titles = texts["sections"]
    return [(titles.get(k, k), fmt.node(k, v)) for k, v in report.data.items()]


def to_html(report: AccessReport) -> str:
    lang = report.lang
    try:
        return (
            _env()
            .get_template(TEMPLATE)
            .render(
                r=report,
                t=labels(lang),
                title=label(lang, "report.title", brand=report.brand_name),
                generated=format_date(report.generated_on, "long", locale=lang),
                data=data_view(report),
                css=_css(),
            )
        )
    except TemplateError as exc:
        raise RenderError(f"{TEMPLATE}: {exc.message}") from None


def to_pdf(report: AccessReport) -> bytes:
    return html_to_pdf(to_html(report))
