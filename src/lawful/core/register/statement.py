"""The customer-facing privacy statement, rendered from the register per brand and language.

The view model (`views.py`) holds finished strings only; whatever still looks like a placeholder in
the output is refused by a last scan. A reader asking for a language the register does not speak,
but for which `labels.yaml` has a reading notice (German), gets the statement in their brand's
region language with that notice on top.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
import types
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, UndefinedError
from markupsafe import Markup

from lawful.core.errors import RenderError
from lawful.core.register import grammar
from lawful.core.register.languages import reading_language
from lawful.core.register.models import Brand, Register
from lawful.core.register.placeholders import UnresolvedPlaceholder, resolve
from lawful.core.register.views import (
    LABELS,
    TEMPLATE,
    TEMPLATES,
    Labels,
    NoticeView,
    StatementView,
    TextBuilder,
    duration_words,
    enterprise_number,
    label_tree,
    locale_of,
)

__all__ = [
    "LEFTOVER",
    "STYLE",
    "Labels",
    "TextBuilder",
    "duration_words",
    "enterprise_number",
    "label_tree",
    "languages",
    "render_all",
    "render_html",
    "render_pdf",
]

# What a leaked placeholder looks like in the output: `{anything}`, `%%bank%%`, `%brand.name%%`.
LEFTOVER = re.compile(r"\{[^{}<>]*\}|%%[\w.]+%%?|%[\w.]+%%|\{\{|\{%")
STYLE = re.compile(r"<style\b.*?</style>", re.DOTALL)


@cache
def _css() -> Markup:
    return Markup((TEMPLATES / "statement.css").read_text(encoding="utf-8"))


def _paragraphs(text: str) -> Markup:
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(p) for p in parts)


def _css_string(text: str) -> Markup:
    """A CSS string literal (for @page content), safe inside <style>."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


FIELD = re.compile(r"\$(\w+)")


def fill(text: str, lang: str, **values: str) -> str:
    """A label with its `$name` fields filled in, each seam made grammatical (French elision)."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise RenderError(f"{LABELS}: a label needs field '${match.group(1)}': {text!r}")
        return values[match.group(1)]

    return grammar.substitute(text, FIELD, value, lang)


def strict_environment(folder: Path) -> Environment:
    """Templates from `folder`, escaped, where an unknown variable is an error, never blank."""
    return Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _env() -> Environment:
    env = strict_environment(TEMPLATES)
    env.filters["paragraphs"] = _paragraphs
    env.filters["css_string"] = _css_string
    env.filters["fill"] = fill
    env.filters["names"] = _names
    return env


def _names(names: list[str], lang: str) -> str:
    """'A, B et C', 'A, B en C', 'A, B and C'."""
    return format_list(names, locale=locale_of(lang))


def languages(register: Register) -> list[str]:
    """Every language a statement can be asked for: the register's own, then those for which a
    reading notice says which of them the reader gets instead."""
    noticed = label_tree().get("reading_notice", {}).get("text", {})
    return register.languages + [lang for lang in noticed if lang not in register.languages]


def _notice(register: Register, brand: Brand, wanted: str, reading: str) -> NoticeView:
    """The reading notice in the wanted language first, then in each language of the register."""
    tree = label_tree()["reading_notice"]
    paragraphs = []
    for lang in dict.fromkeys([wanted, *register.languages]):
        locale = locale_of(lang)
        names = locale.languages
        text = Template(" ".join(tree["text"][lang].split())).substitute(
            wanted=names.get(wanted, wanted),
            reading=names.get(reading, reading),
            languages=format_list([names.get(c, c) for c in register.languages], locale=locale),
        )
        try:
            text = resolve(text, register=register, brand=brand, lang=lang)
        except UnresolvedPlaceholder as exc:
            raise RenderError(f"{LABELS}: 'reading_notice.text' ({lang}): {exc}") from None
        paragraphs.append((lang, tree["title"][lang], grammar.typography(text, lang)))
    return NoticeView(paragraphs)


def _select(register: Register, brand: str, lang: str) -> Brand:
    brands = [b.id for b in register.brands]
    if brand not in brands:
        raise RenderError(f"unknown brand '{brand}'; the register declares: {', '.join(brands)}")
    if lang not in languages(register):
        raise RenderError(
            f"unknown language '{lang}'; the register declares: {', '.join(register.languages)}"
        )
    return register.brand(brand)


def _where(exc: BaseException) -> str:
    """'statement.html.j2:42' for the innermost template frame of a Jinja error."""
    location = TEMPLATE
    tb: types.TracebackType | None = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            location = f"{Path(filename).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return location


def view(register: Register, *, brand: str, lang: str) -> tuple[StatementView, Labels]:
    chosen = _select(register, brand, lang)
    reading = reading_language(register, brand=chosen, wanted=lang)
    builder = TextBuilder(register, chosen, reading)
    labels = builder.labels(label_tree())
    statement = builder.view(labels)
    if reading != lang:
        statement = dataclasses.replace(statement, notice=_notice(register, chosen, lang, reading))
    return statement, labels


def render_html(register: Register, *, brand: str, lang: str) -> str:
    view_, labels = view(register, brand=brand, lang=lang)
    try:
        html = _env().get_template(TEMPLATE).render(s=view_, t=labels, css=_css())
    except UndefinedError as exc:
        raise RenderError(f"{_where(exc)}: undefined template variable: {exc.message}") from None
    except TemplateError as exc:
        raise RenderError(f"{_where(exc)}: {exc.message}") from None
    leftover = LEFTOVER.search(STYLE.sub("", html))
    if leftover:
        raise RenderError(
            f"{TEMPLATE}: the rendered statement still contains '{leftover.group(0)}'"
        )
    return html


@cache
def _font_config() -> Any:
    # Building the font configuration scans the system fonts: do it once per process.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    # PDF/UA-1: tagged structure, the <html lang> as document language, <title> as title.
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
        font_config=_font_config(), pdf_variant="pdf/ua-1"
    )
    return bytes(pdf)


def render_pdf(register: Register, *, brand: str, lang: str) -> bytes:
    return html_to_pdf(render_html(register, brand=brand, lang=lang))


def write_atomic(path: Path, data: bytes) -> Path:
    """Write through a temporary file in the same folder, so no half-written file is left."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def file_name(brand: str, lang: str, fmt: str) -> str:
    return f"statement-{brand}-{lang}.{fmt}"


def render_all(register: Register, out_dir: Path, *, workers: int = 1) -> list[Path]:
    """Every brand × language × format. Everything is rendered before anything is written, and
    every HTML before any PDF, so a register error costs no PDF time. PDFs are independent and
    CPU-bound: `workers` > 1 lays them out in that many processes."""
    pages = [
        (brand.id, lang, render_html(register, brand=brand.id, lang=lang))
        for brand in register.brands
        for lang in languages(register)
    ]
    htmls = [html for _, _, html in pages]
    if workers > 1 and len(htmls) > 1:
        with ProcessPoolExecutor(min(workers, len(htmls))) as pool:
            pdfs = list(pool.map(html_to_pdf, htmls))
    else:
        pdfs = [html_to_pdf(html) for html in htmls]
    documents: list[tuple[str, bytes]] = []
    for (brand, lang, html), pdf in zip(pages, pdfs, strict=True):
        documents.append((file_name(brand, lang, "html"), html.encode("utf-8")))
        documents.append((file_name(brand, lang, "pdf"), pdf))
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_atomic(out_dir / name, data) for name, data in documents]
