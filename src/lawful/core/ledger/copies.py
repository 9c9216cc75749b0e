"""Signed tree heads kept outside the database, one JSON object per line.

Tree heads live in the database beside the log they sign. Someone able to rewrite the log there
(triggers disabled, rows replaced, hashes recomputed) can also delete the heads that would give it
away; they cannot forge new ones without the signing key, which is not in the database. A copy of
a head on other storage — a write-once bucket, another host, a mounted WORM volume — closes that
door: `verify` holds the log against the copies too, and a copy whose head is gone from the
database is itself reported.

The file is only ever appended to. Each line carries the head as signed: tree size, root hash,
signing instant, key id and signature. The signature covers size, root and instant; a copy must
also match its database head in every field, so any edit is reported.

A write cut short (a crash, a full disk) leaves a line that opens a JSON object and never closes
it; such a torn line is ignored and counted, and the next copy starts on a line of its own. Any
other line that is not a tree head makes the whole file unreadable, naming the line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from lawful.core.db import utc_text
from lawful.core.errors import InvalidInput
from lawful.core.ledger.records import TreeHead

FIELDS = ("tree_size", "root_hash", "signed_at", "key_id", "signature")
MAX_LINE = 4_096  # a tree head line is ~330 characters


@dataclass(frozen=True)
class Copies:
    heads: list[TreeHead]  # in file order, each once
    torn: int = 0  # lines cut short by an interrupted write, ignored


def append(path: Path, head: TreeHead) -> None:
    """Add the tree head as one line and flush it to disk before returning."""
    line = json.dumps(
        {
            "tree_size": head.tree_size,
            "root_hash": head.root_hash.hex(),
            "signed_at": utc_text(head.signed_at),
            "key_id": head.key_id,
            "signature": head.signature.hex(),
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
    """Every tree head in the file; an error naming the first line that is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"no tree head copies at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read tree head copies at {path}: {exc}") from None
    found: dict[TreeHead, None] = {}
    torn = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.setdefault(_head(line))
        except _Torn:
            torn += 1
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise InvalidInput(f"{path}:{number}: not a tree head copy ({exc})") from None
    return Copies(list(found), torn)


class _Torn(Exception):
    """The line opens a JSON object and never closes it."""


def _head(line: str) -> TreeHead:
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
    return TreeHead(
        tree_size=_positive(value, "tree_size"),
        root_hash=bytes.fromhex(_text(value, "root_hash")),
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
