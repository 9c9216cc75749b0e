"""An optional language model that rewords the assistant's grounded answer, behind an adapter.

Offline by default: the answer is said as the templates word it. With `LAWFUL_ASSISTANT_LLM_URL`
(an OpenAI-compatible chat-completions endpoint, e.g. a local llama.cpp or vLLM server), the
answer is reworded for tone, and kept only if every fact it carries (names, dates, counts) is
still there word for word: a model that drops or changes a fact is ignored, never believed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

LANGUAGE_NAMES = {"fr": "French", "nl": "Dutch", "en": "English"}


class Phrasing(Protocol):
    @property
    def name(self) -> str: ...

    def phrase(self, answer: str, *, language: str, facts: list[str]) -> str: ...


@dataclass(frozen=True)
class Offline:
    name: str = "offline"

    def phrase(self, answer: str, *, language: str, facts: list[str]) -> str:
        return answer


@dataclass(frozen=True)
class ChatCompletions:
    url: str
    model: str = "default"
    timeout: float = 5.0
    name: str = "chat-completions"

    def phrase(self, answer: str, *, language: str, facts: list[str]) -> str:
        name = LANGUAGE_NAMES.get(language, "English")
        prompt = (
            f"Reword this answer of a bank's assistant in {name}, "
            "friendly and short. Do not add, remove or change any fact, name, date or number."
        )
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": prompt},
                {"role": "user", "content": answer},
            ],
            "temperature": 0,
        }
        try:
            response = httpx.post(self.url, json=body, timeout=self.timeout)
            response.raise_for_status()
            text = str(response.json()["choices"][0]["message"]["content"]).strip()
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError):
            return answer
        return text if text and all(f in text for f in facts) else answer


def phrasing(url: str | None) -> Phrasing:
    return ChatCompletions(url) if url else Offline()
