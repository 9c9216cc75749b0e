"""Where a name meets the sentence around it: articles, French elision and contraction, dates.

Register names are written as running text uses them, with their article in lower case when the
language puts one (« l'Autorité de protection des données », « le Bureau de tarification »,
"de Ombudsman van de Verzekeringen", "the Insurance Ombudsman"); a capitalised article belongs to
the name itself (« La Poste »). Where a name stands alone — a heading, a list — `bare` drops the
article. Where a text inserts a name, `join` makes the seam correct French: « de » + « Aquarisk »
gives « d'Aquarisk », « à » + « le Bureau » gives « au Bureau ». The rule looks only at that seam,
never at the rest of a text, whose author wrote it correctly ("de le faire" stays as it is).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from babel import Locale
from babel.dates import format_date

ARTICLES: dict[str, tuple[str, ...]] = {
    "fr": ("l'", "l’", "le ", "la ", "les "),
    "nl": ("de ", "het "),
    "en": ("the ",),
    "de": ("der ", "die ", "das "),
}
# A name starting with a vowel sound takes the elided form. An initial h is taken as aspirated
# (« de Hollande »): the rare mute-h name would be written with its article.
VOWELS = frozenset("aeiouyàâäæéèêëîïôöœùûüAEIOUYÀÂÄÆÉÈÊËÎÏÔÖŒÙÛÜ")
ELIDED = {
    "de": "d'",
    "le": "l'",
    "la": "l'",
    "que": "qu'",
    "jusque": "jusqu'",
    "lorsque": "lorsqu'",
    "puisque": "puisqu'",
    "ne": "n'",
    "se": "s'",
}
CONTRACTED = {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"}
# The last word before the seam, not glued to a previous word by an apostrophe or a hyphen.
LAST_WORD = re.compile(r"(?<![\w'’-])(\w+) $")
SENTENCE_START = re.compile(r"(^|[.!?]\s+)$")


def bare(name: str, lang: str) -> str:
    """The name standing alone: its running-text article dropped, its first letter capitalised."""
    for article in ARTICLES.get(lang, ()):
        if name.startswith(article) and len(name) > len(article):
            rest = name[len(article) :]
            return rest[:1].upper() + rest[1:]
    return name


def _like(word: str, model: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def join(before: str, name: str, lang: str) -> str:
    """`before` followed by `name`, the seam made grammatical for `lang`."""
    if not name:
        return before
    if SENTENCE_START.search(before) and name.startswith(ARTICLES.get(lang, ())):
        name = name[:1].upper() + name[1:]  # « La FSMA contrôle… », never « Https://… »
    if lang != "fr":
        return before + name
    match = LAST_WORD.search(before)
    if match is None:
        return before + name
    word, head = match.group(1), before[: match.start(1)]
    article, _, rest = name.partition(" ")
    contracted = CONTRACTED.get((word.lower(), article))
    if contracted and rest:
        return f"{head}{_like(contracted, word)} {rest}"
    elided = ELIDED.get(word.lower())
    if elided and name[0] in VOWELS:
        return f"{head}{_like(elided, word)}{name}"
    return before + name


def substitute(
    text: str, pattern: re.Pattern[str], value: Callable[[re.Match[str]], str], lang: str
) -> str:
    """Replace every match of `pattern` by `value(match)`, joining each seam with `join`."""
    out, last = "", 0
    for match in pattern.finditer(text):
        out = join(out + text[last : match.start()], value(match), lang)
        last = match.end()
    return out + text[last:]


# French sets a space before « : ; ? ! » and inside « »; it must not break there.
FRENCH_SPACE = re.compile(r" (?=[:;?!»])|(?<=«) ")


def typography(text: str, lang: str) -> str:
    """Non-breaking spaces where French typography puts a space before or after a sign."""
    return FRENCH_SPACE.sub("\u00a0", text) if lang == "fr" else text


def long_date(day: dt.date, locale: Locale | str) -> str:
    """'1er novembre 2026', '1 november 2026', '1 November 2026': French writes the first of the
    month as an ordinal, which CLDR (and so Babel) does not."""
    locale = Locale.parse(locale)
    text = format_date(day, "long", locale=locale)
    if locale.language == "fr" and day.day == 1:
        text = re.sub(r"(?<!\d)1(?!\d)", "1er", text, count=1)
    return text
