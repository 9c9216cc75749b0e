"""The fixed texts of the rights domain (templates/labels.yaml), one language at a time."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lawful.core.errors import RenderError
from lawful.core.register.grammar import substitute, typography
from lawful.core.register.views import locale_of

TEMPLATES = Path(__file__).parent / "templates"
LABELS = "labels.yaml"
FIELD = re.compile(r"\$(\w+)")


@cache
def _tree() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((TEMPLATES / LABELS).read_text(encoding="utf-8"))
    return data


def _leaf(node: dict[str, Any]) -> bool:
    return all(isinstance(v, str) for v in node.values())


def _pick(node: dict[str, Any], lang: str, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, dict) and _leaf(value):
            if not str(value.get(lang, "")).strip():
                raise RenderError(f"{LABELS}: '{path}{key}' has no '{lang}' text")
            out[key] = typography(" ".join(str(value[lang]).split()), lang)
        elif isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
            out[key] = _pick(value, lang, f"{path}{key}.")
        else:
            # YAML reads an unquoted on/off/yes/no as a boolean: a label would silently vanish.
            raise RenderError(f"{LABELS}: '{path}{key}' is not a text per language")
    return out


@cache
def labels(lang: str) -> dict[str, Any]:
    """Every label in `lang`, nested as in the file; cached, so callers must not change it."""
    return _pick(_tree(), lang, "")


def label(lang: str, path: str, **fields: str) -> str:
    """The label at a dotted path, with its `$name` fields filled in; a missing one is an error."""
    node: Any = labels(lang)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise RenderError(f"{LABELS}: no label '{path}'")
        node = node[part]
    if not isinstance(node, str):
        raise RenderError(f"{LABELS}: '{path}' is a group of labels, not one")
    return _fill(node, lang, path, fields)


def _fill(text: str, lang: str, path: str, fields: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in fields:
            raise RenderError(f"{LABELS}: '{path}' needs field '{match.group(1)}'")
        return fields[match.group(1)]

    # A name filled in meets French grammar at its seam: « transmis à le Bureau » reads « au ».
    return substitute(text, FIELD, value, lang)


def notice(wanted: str, reading: str) -> list[tuple[str, str]]:
    """Why the answer is in `reading` rather than `wanted`: (language, text), in the wanted
    language when there is a text for it, then in the language of the answer."""
    texts = _tree()["reading_notice"]
    out = []
    for lang in dict.fromkeys([wanted, reading]):
        if lang in texts:
            names = locale_of(lang).languages
            fields = {"wanted": names.get(wanted, wanted), "reading": names.get(reading, reading)}
            text = " ".join(str(texts[lang]).split())
            out.append((lang, typography(_fill(text, lang, "reading_notice", fields), lang)))
    return out
