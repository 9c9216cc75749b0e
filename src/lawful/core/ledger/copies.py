"""Signed checkpoints kept outside the database, one JSON object per line.

Checkpoints live in the database beside the chain they sign. Someone able to rewrite the chain
there (triggers disabled, rows replaced, hashes recomputed) can also delete the checkpoints that
would give it away; they cannot forge new ones without the signing key, which is not in the
database. A copy of each checkpoint on other storage — a write-once bucket, another host, a
mounted WORM volume — closes that door: `verify` holds the chain against the copies too, and a
copy whose checkpoint is gone from the database is itself reported.

The file is only ever appended to. Each line carries the checkpoint as signed: id, sequence, head
hash, signing instant, key id and signature. The signature covers sequence, hash and instant; a
copy must also match its database checkpoint in every field, so any edit is reported.

A write cut short (a crash, a full disk) leaves a line that opens a JSON object and never closes
it; such a torn line is ignored and counted, and the next copy starts on a line of its own. Any
other line that is not a checkpoint makes the whole file unreadable, naming the line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from lawful.core.db import utc_text
from lawful.core.errors import InvalidInput
from lawful.core.ledger.records import Checkpoint

FIELDS = ("id", "sequence", "hash", "signed_at", "key_id", "signature")
MAX_LINE = 4_096  # a checkpoint line is ~400 characters


@dataclass(frozen=True)
class Copies:
    checkpoints: list[Checkpoint]  # in file order, each once
    torn: int = 0  # lines cut short by an interrupted write, ignored


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Add the checkpoint as one line and flush it to disk before returning."""
    line = json.dumps(
        {
            "id": checkpoint.id,
            "sequence": checkpoint.sequence,
            "hash": checkpoint.hash.hex(),
            "signed_at": utc_text(checkpoint.signed_at),
            "key_id": checkpoint.key_id,
            "signature": checkpoint.signature.hex(),
        },
        separators=(",", ":"),
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        size = os.fstat(fd).st_size
        # After a torn write the file does not end with a newline: start a line of our own.
        torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        data = (b"\n" if torn else b"") + line + b"\n"
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path) -> Copies:
    """Every checkpoint in the file; an error naming the first line that is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"no checkpoint copies at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read checkpoint copies at {path}: {exc}") from None
    found: dict[Checkpoint, None] = {}
    torn = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.setdefault(_checkpoint(line))
        except _Torn:
            torn += 1
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise InvalidInput(f"{path}:{number}: not a checkpoint copy ({exc})") from None
    return Copies(list(found), torn)


class _Torn(Exception):
    """The line opens a JSON object and never closes it."""


def _checkpoint(line: str) -> Checkpoint:
    if len(line) > MAX_LINE:
        raise ValueError(f"longer than {MAX_LINE} characters")
    text = line.strip()
    if text.startswith("{") and not text.endswith("}"):
        raise _Torn  # an object begun and never closed: the write stopped there
    value = json.loads(text)
    if not isinstance(value, dict):
        raise TypeError("expected a JSON object")
    missing = [f for f in FIELDS if f not in value]
    if missing:
        raise KeyError(", ".join(missing))
    signed_at_text = _text(value, "signed_at")
    signed_at = dt.datetime.fromisoformat(signed_at_text)
    if signed_at.tzinfo is None or utc_text(signed_at) != signed_at_text:
        raise ValueError("signed_at must be written as the ledger writes it (UTC, …Z)")
    return Checkpoint(
        id=_positive(value, "id"),
        sequence=_positive(value, "sequence"),
        hash=bytes.fromhex(_text(value, "hash")),
        signed_at=signed_at,
        key_id=_text(value, "key_id"),
        signature=bytes.fromhex(_text(value, "signature")),
    )


def _text(value: dict[str, object], name: str) -> str:
    found = value[name]
    if not isinstance(found, str):
        raise TypeError(f"{name} must be a string")
    return found


def _positive(value: dict[str, object], name: str) -> int:
    found = value[name]
    if isinstance(found, bool) or not isinstance(found, int) or found < 1:
        raise ValueError(f"{name} must be a positive integer")
    return found
