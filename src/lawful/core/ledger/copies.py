"""Signed checkpoints kept outside the database, one JSON object per line.

Checkpoints live in the database beside the chain they sign. Someone able to rewrite the chain
there (triggers disabled, rows replaced, hashes recomputed) can also delete the checkpoints that
would give it away; they cannot forge new ones without the signing key, which is not in the
database. A copy of each checkpoint on other storage — a write-once bucket, another host, a
mounted WORM volume — closes that door: `verify` holds the chain against the copies too, and a
copy whose checkpoint is gone from the database is itself reported.

The file is only ever appended to. Each line carries the checkpoint as signed: id, sequence, head
hash, signing instant, key id and signature; the signature covers the rest, so an edited line is
reported as a bad signature.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from lawful.core.db import utc_text
from lawful.core.errors import InvalidInput
from lawful.core.ledger.records import Checkpoint

FIELDS = ("id", "sequence", "hash", "signed_at", "key_id", "signature")


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
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file, in file order; a line that is not one is an error naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"no checkpoint copies at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read checkpoint copies at {path}: {exc}") from None
    copies = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            copies.append(_checkpoint(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{path}:{number}: not a checkpoint copy ({exc})") from None
    return copies


def _checkpoint(value: object) -> Checkpoint:
    if not isinstance(value, dict):
        raise TypeError("expected a JSON object")
    missing = [f for f in FIELDS if f not in value]
    if missing:
        raise KeyError(", ".join(missing))
    signed_at = dt.datetime.fromisoformat(str(value["signed_at"]).replace("Z", "+00:00"))
    if signed_at.tzinfo is None:
        raise ValueError("signed_at must name UTC")
    return Checkpoint(
        id=_integer(value["id"], "id"),
        sequence=_integer(value["sequence"], "sequence"),
        hash=bytes.fromhex(str(value["hash"])),
        signed_at=signed_at,
        key_id=str(value["key_id"]),
        signature=bytes.fromhex(str(value["signature"])),
    )


def _integer(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer")
    return value
