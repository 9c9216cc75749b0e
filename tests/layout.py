"""Where WeasyPrint laid out a document: what runs past the page's right edge, which pages hold an
element. The layout boxes are WeasyPrint's own, the same that are drawn into the PDF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from lawful.core.register.statement import TEMPLATES, _font_config

# A quarter of a point: rounding, never a cut column.
TOLERANCE = 0.25


def render(html: str) -> Any:
    return HTML(string=html, base_url=str(TEMPLATES)).render(font_config=_font_config())


def _boxes(page: Any) -> Iterator[Any]:
    for box in page._page_box.descendants():
        if isinstance(box, boxes.PageBox | boxes.MarginBox):
            continue
        yield box


def overflowing(document: Any) -> list[str]:
    """Every box that runs past the right edge of its page's content area, described."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        for box in _boxes(page):
            end = box.position_x + box.margin_width()
            if end > right + TOLERANCE:
                text = getattr(box, "text", "") or getattr(box, "element_tag", "")
                found.append(f"page {number}: {type(box).__name__} {text!r} ends at {end:.1f}")
    return found


def pages_of(document: Any, element_id: str) -> set[int]:
    """The pages (from 1) on which the element with this id, or anything inside it, is drawn."""
    inside: set[int] = set()
    for page in document.pages:
        for box in _boxes(page):
            element = getattr(box, "element", None)
            if element is not None and element.get("id") == element_id:
                inside = {id(e) for e in element.iter()}
                break
        if inside:
            break
    return {
        number
        for number, page in enumerate(document.pages, start=1)
        if any(id(getattr(box, "element", None)) in inside for box in _boxes(page))
    }
