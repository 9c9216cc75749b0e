"""The card-balance reminder as the customer reads it, in their language.

A service message, not marketing (Code of Economic Law XII.13): it states the balance and the due
date of the customer's own card and nothing else — no product, no offer, no link to one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_IE", "de": "de_BE"}
FALLBACK = "en"

_TITLE = {
    "fr": "Rappel\u00a0: solde de votre carte de crédit",
    "nl": "Herinnering: saldo van uw kredietkaart",
    "en": "Reminder: your credit-card balance",
    "de": "Erinnerung: Saldo Ihrer Kreditkarte",
}
_BODY = {
    "fr": (
        "Le solde de votre carte de crédit se terminant par {digits} s'élève à {balance}. "
        "L'échéance est fixée au {due}\u00a0: pensez à le rembourser d'ici là "
        "pour éviter des frais. "
        "Si c'est déjà fait, vous pouvez ignorer ce message."
    ),
    "nl": (
        "Het saldo van uw kredietkaart die eindigt op {digits} bedraagt {balance}. "
        "De vervaldag is {due}: betaal het vóór die datum terug om kosten te vermijden. "
        "Hebt u al betaald, dan mag u dit bericht negeren."
    ),
    "en": (
        "The balance of your credit card ending in {digits} is {balance}. "
        "It is due on {due}: please pay it by then to avoid charges. "
        "If you have already paid, you can ignore this message."
    ),
    "de": (
        "Der Saldo Ihrer Kreditkarte mit der Endung {digits} beträgt {balance}. "
        "Fällig ist er am {due}: Bitte begleichen Sie ihn bis dahin, um Gebühren zu vermeiden. "
        "Falls Sie bereits bezahlt haben, können Sie diese Nachricht ignorieren."
    ),
}


@dataclass(frozen=True, slots=True)
class Message:
    language: str
    title: str
    body: str


def language_of(chosen: str | None, on_file: str | None) -> str:
    """The language chosen for messages, else the file's, else English."""
    for candidate in (chosen, on_file):
        if candidate in _BODY:
            return candidate
    return FALLBACK


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[lang])


@cache
def _day(lang: str, due: dt.date) -> str:
    """A job formats the same few due dates thousands of times."""
    day = format_date(due, format="long", locale=_locale(lang))
    if lang == "fr" and due.day == 1:
        day = "1er" + day.removeprefix("1")  # « le 1er décembre », as French writes the first
    return day


def card_reminder(language: str, *, last_digits: str, balance_cents: int, due: dt.date) -> Message:
    lang = language if language in _BODY else FALLBACK
    body = _BODY[lang].format(
        digits=last_digits,
        balance=format_currency(balance_cents / 100, "EUR", locale=_locale(lang)),
        due=_day(lang, due),
    )
    return Message(lang, _TITLE[lang], body)


# --- a change of the privacy statement ------------------------------------------------------
# A mandatory service notice: what changed for this person, in plain words (the purposes'
# titles as the statement reads them), and where to read the whole statement.

NOTICE_LANGUAGES = ("fr", "nl", "en")
_NOTICE = {
    "fr": {
        "title": "Notre déclaration de confidentialité change",
        "intro": (
            "Nous avons mis à jour notre déclaration de confidentialité. "
            "Voici ce qui change pour vous\u00a0:"
        ),
        "added": "Nouveau\u00a0: «\u00a0{}\u00a0»",
        "changed": "Modifié\u00a0: «\u00a0{}\u00a0»",
        "removed": "Nous n'utilisons plus vos données pour\u00a0: «\u00a0{}\u00a0»",
        "where": (
            "Vous pouvez lire la déclaration complète dans l'app {app} ou sur {website}. "
            "Ce message est obligatoire\u00a0: il ne peut pas être désactivé."
        ),
    },
    "nl": {
        "title": "Onze privacyverklaring verandert",
        "intro": "We hebben onze privacyverklaring bijgewerkt. Dit verandert er voor u:",
        "added": "Nieuw: ‘{}’",
        "changed": "Gewijzigd: ‘{}’",
        "removed": "We gebruiken uw gegevens niet meer voor: ‘{}’",
        "where": (
            "U leest de volledige verklaring in de app {app} of op {website}. "
            "Dit is een verplicht bericht: u kunt het niet uitschakelen."
        ),
    },
    "en": {
        "title": "Our privacy statement is changing",
        "intro": "We have updated our privacy statement. Here is what changes for you:",
        "added": "New: ‘{}’",
        "changed": "Changed: ‘{}’",
        "removed": "We no longer use your data for: ‘{}’",
        "where": (
            "You can read the full statement in the {app} app or at {website}. "
            "This is a mandatory notice: it cannot be switched off."
        ),
    },
}


def notice_language(chosen: str | None, on_file: str | None) -> str:
    """The language chosen for messages, else the file's, among those notices are written in."""
    for candidate in (chosen, on_file):
        if candidate in _NOTICE:
            return candidate
    return FALLBACK


def statement_notice(
    language: str,
    *,
    added: list[str],
    changed: list[str],
    removed: list[str],
    app: str,
    website: str,
) -> Message:
    lang = language if language in _NOTICE else FALLBACK
    words = _NOTICE[lang]
    lines = [words["intro"]]
    for kind, titles in (("added", added), ("changed", changed), ("removed", removed)):
        lines += [f"- {words[kind].format(title)}" for title in titles]
    lines.append(words["where"].format(app=app, website=website))
    return Message(lang, words["title"], "\n".join(lines))
