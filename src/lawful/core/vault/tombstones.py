"""The erased subjects, listed outside the database so that a restored backup forgets them again.

Erasure destroys a subject's key in the database. A backup taken before the erasure still holds
that key (wrapped by a master key version that may still exist) and the subject's rows; restored,
it would bring the person back. So every shredding also appends the subject's pseudonym to this
list, kept in the keys folder (backed up apart from the database, never rolled back with it), and
after a restore the list is replayed: every listed subject whose key is alive again is erased
again (`lawful rights replay-erasures`, also run by `lawful serve` at start-up).

One JSON object per line: {"subject": pseudonym, "at": UTC instant}. Appended and fsynced before
the erasing transaction commits: if that transaction then fails, the list names a person who asked
to be erased and was not yet — a replay completes what they asked for. A line cut short by a crash
is ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from lawful.core.db import utc_text, utcnow
from lawful.core.errors import ConfigurationError

FILE_NAME = "erased-subjects.jsonl"


def append(path: Path, pseudonyms: Iterable[str]) -> None:
    at = utc_text(utcnow())
    lines = b"".join(
        json.dumps({"subject": p, "at": at}, separators=(",", ":")).encode() + b"\n"
        for p in pseudonyms
    )
    if not lines:
        return
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        # After a torn write the file does not end with a newline: start a line of our own.
        if size > 0 and os.pread(fd, 1, size - 1) != b"\n":
            lines = b"\n" + lines
        while lines:
            lines = lines[os.write(fd, lines) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path) -> set[str]:
    """Every pseudonym listed; an absent file lists none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise ConfigurationError(
            f"the erased-subjects list cannot be read: {exc.strerror}"
        ) from None
    found = set()
    for line in data.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by an interrupted write
        subject = entry.get("subject") if isinstance(entry, dict) else None
        if isinstance(subject, str):
            found.add(subject)
    return found
