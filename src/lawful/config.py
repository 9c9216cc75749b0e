"""Settings read from the environment (LAWFUL_*); the defaults run embedded."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///lawful.db"
DEFAULT_HOME = ".lawful"
HOME_VARIABLE = "LAWFUL_HOME"
COPIES_VARIABLE = "LAWFUL_CHECKPOINT_COPIES"
REGISTER_VARIABLE = "LAWFUL_REGISTER"
# One URL per notification channel (any service apprise knows); none: messages stay in the app.
NOTIFY_VARIABLES = {
    "push": "LAWFUL_NOTIFY_URL_PUSH",
    "email": "LAWFUL_NOTIFY_URL_EMAIL",
    "sms": "LAWFUL_NOTIFY_URL_SMS",
    "letter": "LAWFUL_NOTIFY_URL_LETTER",
}


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path
    checkpoint_copies: Path | None = None  # signed checkpoints copied outside the database
    register_path: Path | None = None  # None: the reference register shipped with lawful
    max_body_bytes: int | None = None  # the API's bound on a request body (None: its default)
    notify_urls: dict[str, str] = field(default_factory=dict)  # channel -> apprise URL

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"


def get_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("LAWFUL_DATABASE_URL", DEFAULT_DATABASE_URL),
        home=Path(os.environ.get(HOME_VARIABLE, DEFAULT_HOME)),
        checkpoint_copies=Path(copies) if (copies := os.environ.get(COPIES_VARIABLE)) else None,
        register_path=Path(path) if (path := os.environ.get(REGISTER_VARIABLE)) else None,
        max_body_bytes=int(size) if (size := os.environ.get("LAWFUL_MAX_BODY_BYTES")) else None,
        notify_urls={
            channel: url
            for channel, name in NOTIFY_VARIABLES.items()
            if (url := os.environ.get(name))
        },
    )
