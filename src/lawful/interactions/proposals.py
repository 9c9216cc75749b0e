"""Minutes and tasks proposed from a transcript, in French, Dutch or English.

Extractive and rule-based on purpose: a proposal quotes what was said, so that the staff member
who confirms it checks words actually spoken, never a paraphrase a model made up.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lawful.interactions.schemas import NoteKind

# What announces something to do, and what records something agreed, per language.
TASK = {
    "fr": (
        r"\b(je vais|nous allons|je vous envoie|je vous rappelle|je vous "
        r"recontacte|envoyer|rappeler)\b"
    ),
    "nl": (
        r"\b(ik zal|we zullen|wij zullen|ik stuur|ik bel u terug|terugbellen|opsturen|bezorgen)\b"
    ),
    "en": r"\b(i will|i'll|we will|we'll|i am going to|send you|call you back)\b",
}
AGREED = {
    "fr": r"\b(d'accord|convenu|entendu|nous avons décidé|vous souhaitez|vous voulez)\b",
    "nl": r"\b(akkoord|afgesproken|goed zo|we hebben beslist|u wilt|u wenst)\b",
    "en": r"\b(agreed|all right|we decided|you would like|you want)\b",
}
IN_DAYS = {
    "fr": r"\b(?:dans|sous)\s+(\d{1,3})\s+jours?\b",
    "nl": r"\b(?:binnen|over)\s+(\d{1,3})\s+dagen\b",
    "en": r"\b(?:within|in)\s+(\d{1,3})\s+days?\b",
}
ISO_DATE = r"\b(20\d\d-\d\d-\d\d)\b"
SPEAKER = re.compile(r"^\s*[\w .'-]{1,30}:\s*")
MAX_MINUTES = 3


@dataclass(frozen=True)
class Proposal:
    kind: NoteKind
    text: str
    due_on: dt.date | None = None


def sentences(transcript: str) -> list[str]:
    out = []
    for line in transcript.splitlines():
        line = SPEAKER.sub("", line).strip()
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]
    return out


def due(sentence: str, language: str, today: dt.date) -> dt.date | None:
    if match := re.search(ISO_DATE, sentence):
        try:
            return dt.date.fromisoformat(match.group(1))
        except ValueError:
            return None
    if match := re.search(IN_DAYS[language], sentence, re.IGNORECASE):
        return today + dt.timedelta(days=int(match.group(1)))
    return None


def propose(transcript: str, language: str, *, today: dt.date) -> list[Proposal]:
    """One minutes proposal quoting what was agreed, and one task per thing announced."""
    lang = language if language in TASK else "en"
    said = sentences(transcript)
    tasks = [s for s in said if re.search(TASK[lang], s, re.IGNORECASE)]
    agreed = [s for s in said if re.search(AGREED[lang], s, re.IGNORECASE) and s not in tasks]
    out = [Proposal(NoteKind.TASK, s, due(s, lang, today)) for s in tasks]
    if agreed:
        out.insert(0, Proposal(NoteKind.MINUTES, " ".join(agreed[:MAX_MINUTES])))
    return out
