"""The customer-facing privacy statement, rendered from the register per brand and language.

Every register text is resolved (placeholders, language) while the view model is built, so the
template only ever sees finished strings; whatever still looks like a placeholder in the output is
refused by a last scan. Fixed interface texts live in `templates/labels.yaml`.
"""

from __future__ import annotations

import os
import re
import tempfile
import types
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.units import format_unit
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, UndefinedError
from markupsafe import Markup

from lawful.core.errors import RenderError
from lawful.core.register.models import (
    Address,
    Brand,
    Contact,
    Duration,
    Entity,
    LegalBasis,
    LegalHold,
    Purpose,
    Recipient,
    Register,
    Text,
)
from lawful.core.register.placeholders import UnresolvedPlaceholder, resolve
from lawful.core.register.validate import EEA

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "statement.html.j2"
LABELS = "labels.yaml"
# What a leaked placeholder looks like in the output: `{anything}`, `%%bank%%`, `%brand.name%%`.
LEFTOVER = re.compile(r"\{[^{}<>]*\}|%%[\w.]+%%?|%[\w.]+%%|\{\{|\{%")
STYLE = re.compile(r"<style\b.*?</style>", re.DOTALL)


@dataclass(frozen=True)
class EntityView:
    legal_name: str
    enterprise_number: str
    address: str
    dpo: ContactView


@dataclass(frozen=True)
class ContactView:
    email: str
    address: str | None
    phone: str | None
    url: str | None


@dataclass(frozen=True)
class RecipientView:
    name: str
    description: str
    country: str | None  # shown only outside Belgium
    safeguard: str | None  # shown only outside the EEA


@dataclass(frozen=True)
class HoldView:
    title: str
    period: str
    law: str
    categories: list[str]


@dataclass(frozen=True)
class PurposeView:
    anchor: str
    number: int
    title: str
    description: str
    controllers: list[str]
    basis: str
    interest: str | None
    categories: list[str]
    recipients: list[RecipientView]
    retention: str
    retention_note: str | None
    holds: list[HoldView]
    source: str | None
    source_from: str | None
    automated_logic: str | None
    automated_safeguards: str | None
    objection: str  # an ObjectionMode value
    objection_reason: str | None
    preference: bool


@dataclass(frozen=True)
class StatementView:
    lang: str
    brand: str
    updated: str
    updated_iso: str
    entities: list[EntityView]
    purposes: list[PurposeView]
    authority: str
    authority_contact: ContactView
    contact: ContactView
    has_consent: bool
    has_automated: bool

    def objectable(self, mode: str) -> list[PurposeView]:
        return [p for p in self.purposes if p.objection == mode]


class Labels:
    """One language's labels; a missing key is a RenderError naming it, not a blank."""

    def __init__(self, data: dict[str, Any], path: str = "") -> None:
        self._data = data
        self._path = path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Any:
        if name not in self._data:
            raise RenderError(f"{TEMPLATE}: label '{self._path}{name}' is not in {LABELS}")
        return self._data[name]


@cache
def label_tree() -> dict[str, Any]:
    """The fixed interface texts; shared with the access report, so both read alike."""
    data: dict[str, Any] = yaml.safe_load((TEMPLATES / LABELS).read_text(encoding="utf-8"))
    return data


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
    return env


def _locale(lang: str) -> Locale:
    for tag in (f"{lang}_BE", lang):
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    raise RenderError(f"{TEMPLATE}: no locale data (dates, durations) for language '{lang}'")


def duration_words(duration: Duration, locale: Locale | str) -> str:
    """'10 years', '1 an et 6 mois', '30 dagen' — never rounded, unlike format_timedelta."""
    amounts = ((duration.years, "year"), (duration.months, "month"), (duration.days, "day"))
    parts = [_unit(amount, unit, locale) for amount, unit in amounts if amount]
    return format_list(parts, locale=locale) if parts else _unit(0, "day", locale)


def _unit(amount: int, unit: str, locale: Locale | str) -> str:
    # CLDR lacks some long forms (Dutch days): Babel then prints the unit id, so use the short.
    for length in ("long", "short"):
        words = format_unit(amount, f"duration-{unit}", length=length, locale=locale)
        if "duration-" not in words:
            return words
    raise RenderError(f"{TEMPLATE}: no '{locale}' words for a duration in {unit}s")


def enterprise_number(number: str) -> str:
    digits = number.removeprefix("BE").zfill(10)
    return f"BE {digits[:4]}.{digits[4:7]}.{digits[7:]}"


class TextBuilder:
    """Turns the register into finished strings for one brand and one language.

    Public because the access report builds its purpose texts with it: a purpose must read the
    same in the statement and in the answer to an access request.
    """

    def __init__(self, register: Register, brand: Brand, lang: str) -> None:
        self.register = register
        self.brand = brand
        self.lang = lang
        self.locale = _locale(lang)

    def resolve(self, text: str, path: str, where: str = TEMPLATE) -> str:
        try:
            return resolve(text, register=self.register, brand=self.brand, lang=self.lang)
        except UnresolvedPlaceholder as exc:
            raise RenderError(
                f"{where}: placeholder '{exc.placeholder}' in {path} {exc.why}"
            ) from None

    def text(self, value: Text, path: str) -> str:
        if not value.get(self.lang, "").strip():
            raise RenderError(f"{TEMPLATE}: {path} has no '{self.lang}' text")
        return self.resolve(value[self.lang], path)

    def labels(self, node: dict[str, Any], path: str = "") -> Labels:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "categories" and not path:
                continue
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                if not str(value.get(self.lang, "")).strip():
                    raise RenderError(f"{LABELS}: '{path}{key}' has no '{self.lang}' text")
                out[key] = self.resolve(value[self.lang], f"'{path}{key}'", LABELS)
            elif isinstance(value, dict):
                out[key] = self.labels(value, f"{path}{key}.")
        return Labels(out, path)

    def category(self, key: str) -> str:
        for index, ext in enumerate(self.register.taxonomy.data_categories):
            if ext.key == key:
                return self.text(ext.name, f"taxonomy.data_categories[{index}].name")
        label = label_tree()["categories"].get(key) or {}
        if not str(label.get(self.lang, "")).strip():
            raise RenderError(
                f"{TEMPLATE}: no '{self.lang}' name for data category '{key}': add it to "
                f"{LABELS} (categories) or to the register's taxonomy extension"
            )
        return str(label[self.lang])

    def address(self, address: Address) -> str:
        line = f"{address.street}, {address.postcode} {address.city}"
        if address.country != "BE":
            line += f", {self.locale.territories.get(address.country, address.country)}"
        return line

    def contact(self, contact: Contact, path: str, address: Address | None = None) -> ContactView:
        address = contact.address or address
        return ContactView(
            email=self.resolve(contact.email, f"{path}.email"),
            address=self.address(address) if address else None,
            phone=contact.phone,
            url=contact.url,
        )

    def period(self, duration: Duration, starts: str, labels: Labels) -> str:
        return f"{duration_words(duration, self.locale)} {labels.retention_start[starts]}"

    def optional(self, value: Text | None, path: str) -> str | None:
        return None if value is None else self.text(value, path)

    def recipient(self, ident: str, path: str) -> RecipientView:
        r = _find(self.register.recipients, ident, "recipient", path)
        recipient = self.register.recipients[r]
        country = recipient.country
        return RecipientView(
            name=self.text(recipient.name, f"recipients[{r}].name"),
            description=self.text(recipient.description, f"recipients[{r}].description"),
            country=self.locale.territories.get(country, country) if country != "BE" else None,
            safeguard=None if country in EEA else recipient.transfer_safeguard,
        )

    def holds(self, purpose: Purpose, path: str, labels: Labels) -> list[HoldView]:
        views = []
        for i, ident in enumerate(purpose.legal_holds):
            h = _find(self.register.legal_holds, ident, "legal hold", f"{path}.legal_holds[{i}]")
            hold = self.register.legal_holds[h]
            if _outlasts(hold.duration, hold.starts, purpose):
                views.append(
                    HoldView(
                        title=self.text(hold.title, f"legal_holds[{h}].title"),
                        period=self.period(hold.duration, hold.starts, labels),
                        law=self.text(hold.law, f"legal_holds[{h}].law"),
                        categories=[self.category(c) for c in hold.data_categories],
                    )
                )
        return views

    def purpose(self, index: int, number: int, purpose: Purpose, labels: Labels) -> PurposeView:
        path = f"purposes[{index}]"
        lia, source, auto = purpose.legitimate_interest, purpose.source, purpose.automated_decision
        if purpose.legal_basis != LegalBasis.LEGITIMATE_INTERESTS:
            lia = None
        retention = purpose.retention
        return PurposeView(
            anchor=f"purpose-{purpose.id}",
            number=number,
            title=self.text(purpose.title, f"{path}.title"),
            description=self.text(purpose.description, f"{path}.description"),
            controllers=[
                self.register.entity(c).legal_name
                for c in purpose.controllers
                if c in self.brand.entities
            ],
            basis=labels.legal_basis[purpose.legal_basis.value],
            interest=self.optional(
                lia.interest if lia else None, f"{path}.legitimate_interest.interest"
            ),
            categories=[self.category(c) for c in purpose.data_categories],
            recipients=[
                self.recipient(r, f"{path}.recipients[{i}]")
                for i, r in enumerate(purpose.recipients)
            ],
            retention=self.period(retention.duration, retention.starts, labels),
            retention_note=self.optional(retention.note, f"{path}.retention.note"),
            holds=self.holds(purpose, path, labels),
            source=self.optional(
                source.description if source else None, f"{path}.source.description"
            ),
            source_from=self.recipient(source.recipient, f"{path}.source.recipient").name
            if source and source.recipient
            else None,
            automated_logic=self.optional(
                auto.logic if auto else None, f"{path}.automated_decision.logic"
            ),
            automated_safeguards=self.optional(
                auto.safeguards if auto else None, f"{path}.automated_decision.safeguards"
            ),
            objection=purpose.objection.mode.value,
            objection_reason=self.optional(purpose.objection.reason, f"{path}.objection.reason"),
            preference=purpose.preference is not None,
        )

    def view(self, labels: Labels) -> StatementView:
        reg, brand = self.register, self.brand
        entities = []
        b = reg.brands.index(brand)
        for i, eid in enumerate(brand.entities):
            e = _find(reg.entities, eid, "entity", f"brands[{b}].entities[{i}]")
            entity = reg.entities[e]
            entities.append(
                EntityView(
                    legal_name=self.resolve(entity.legal_name, f"entities[{e}].legal_name"),
                    enterprise_number=enterprise_number(entity.enterprise_number),
                    address=self.address(entity.address),
                    dpo=self.contact(entity.dpo, f"entities[{e}].dpo"),
                )
            )
        shown = [
            (i, p)
            for i, p in enumerate(reg.purposes)
            if p.statement and any(c in brand.entities for c in p.controllers)
        ]
        purposes = [self.purpose(i, n, p, labels) for n, (i, p) in enumerate(shown, start=1)]
        return StatementView(
            lang=self.lang,
            brand=self.text(brand.name, f"brands[{b}].name"),
            updated=format_date(reg.updated_on, "long", locale=self.locale),
            updated_iso=reg.updated_on.isoformat(),
            entities=entities,
            purposes=purposes,
            authority=self.text(reg.authority.name, "authority.name"),
            authority_contact=self.contact(
                reg.authority.contact, "authority.contact", reg.authority.address
            ),
            contact=self.contact(brand.contact, f"brands[{b}].contact"),
            has_consent=any(p.legal_basis == LegalBasis.CONSENT for _, p in shown),
            has_automated=any(p.automated_decision is not None for _, p in shown),
        )


def _find(items: Sequence[Entity | Recipient | LegalHold], ident: str, what: str, path: str) -> int:
    for index, item in enumerate(items):
        if item.id == ident:
            return index
    raise RenderError(f"{TEMPLATE}: {path} names {what} '{ident}', which is not declared")


def _outlasts(duration: Duration, starts: str, purpose: Purpose) -> bool:
    """A hold is worth telling when it may keep data beyond the purpose's own retention."""
    own = purpose.retention
    return starts != own.starts or duration.total_days() > own.duration.total_days()


def _select(register: Register, brand: str, lang: str) -> Brand:
    brands = [b.id for b in register.brands]
    if brand not in brands:
        raise RenderError(f"unknown brand '{brand}'; the register declares: {', '.join(brands)}")
    if lang not in register.languages:
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


def render_html(register: Register, *, brand: str, lang: str) -> str:
    builder = TextBuilder(register, _select(register, brand, lang), lang)
    labels = builder.labels(label_tree())
    view = builder.view(labels)
    try:
        html = _env().get_template(TEMPLATE).render(s=view, t=labels, css=_css())
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
        for lang in register.languages
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
