"""Speech to text behind an adapter.

The default engine transcribes nothing and says why: lawful ships no speech model. With
`LAWFUL_SPEECH_MODEL` naming a faster-whisper model directory already on disk (and the
`faster-whisper` package installed), recordings are transcribed locally; nothing is downloaded
and no recording leaves the installation.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from lawful.core.errors import Conflict


class SpeechUnavailable(Conflict):
    """No speech-to-text engine is installed: the recording stays as it is."""


class SpeechToText(Protocol):
    @property
    def name(self) -> str: ...

    def transcribe(self, audio: bytes, *, language: str) -> str: ...


@dataclass(frozen=True)
class Unavailable:
    name: str = "none"
    why: str = (
        "speech-to-text is not available: no speech model is installed (set LAWFUL_SPEECH_MODEL "
        "to a faster-whisper model directory); the recording is kept as it is"
    )

    def transcribe(self, audio: bytes, *, language: str) -> str:
        raise SpeechUnavailable(self.why)


@dataclass(frozen=True)
class FasterWhisper:
    """A faster-whisper model read from `model_dir`, on the CPU."""

    model_dir: Path
    name: str = "faster-whisper"

    def transcribe(self, audio: bytes, *, language: str) -> str:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise SpeechUnavailable("the faster-whisper package is not installed") from None
        model = WhisperModel(str(self.model_dir), device="cpu", compute_type="int8")
        segments, _ = model.transcribe(io.BytesIO(audio), language=language)
        return "\n".join(s.text.strip() for s in segments)


def engine(model_dir: Path | None) -> SpeechToText:
    if model_dir is None:
        return Unavailable()
    if not model_dir.is_dir():
        return Unavailable(why=f"speech-to-text is not available: no model in {model_dir}")
    return FasterWhisper(model_dir)
