"""A scratch LAWFUL_HOME for a benchmark: its own keys, never the installation's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lawful.core.vault import keys


@contextmanager
def scratch_home(path: Path) -> Iterator[Path]:
    """LAWFUL_HOME points at `path` inside the block and at what it was before after it."""
    previous = os.environ.get("LAWFUL_HOME")
    os.environ["LAWFUL_HOME"] = str(path)
    keys.forget_cached_keys()
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop("LAWFUL_HOME", None)
        else:
            os.environ["LAWFUL_HOME"] = previous
        keys.forget_cached_keys()
