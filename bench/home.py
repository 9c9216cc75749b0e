"""A scratch LAWFUL_HOME for a benchmark: its own keys, never the installation's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lawful.core.vault.keys import Keyring, init_keyring, open_keyring


@contextmanager
def scratch_home(path: Path) -> Iterator[Path]:
    """LAWFUL_HOME points at `path`, with keys of its own, inside the block, and at what it was
    before after it."""
    previous = os.environ.get("LAWFUL_HOME")
    os.environ["LAWFUL_HOME"] = str(path)
    init_keyring(path / "keys")
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop("LAWFUL_HOME", None)
        else:
            os.environ["LAWFUL_HOME"] = previous


def keyring() -> Keyring:
    """The keys of the scratch home in force."""
    return open_keyring(Path(os.environ["LAWFUL_HOME"]) / "keys")
