"""Per-subject encryption (AES-GCM-256) and crypto-shredding.

Each subject has one random key, stored wrapped by the installation's master key and indexed by
the subject's pseudonym. Shredding destroys the key: every ciphertext made with it, wherever it
was copied (ledger details, backups of them), becomes unreadable, while hashes over the
ciphertext keep verifying.

Ciphertext layout: version (1 byte) | kind (1 byte: raw bytes or JSON) | nonce (12) | AES-GCM
output. The header and the subject's pseudonym are authenticated data, so a ciphertext cannot be
replayed under another subject or reinterpreted as another kind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from lawful.core.db import mark_erasure, utcnow
from lawful.core.errors import InvalidInput, KeyDestroyed
from lawful.core.vault import repository, tombstones
from lawful.core.vault.keys import Keyring


class JsonText(bytes):
    """The JSON text of an object, already encoded (as another system sent it): encrypted as is,
    read back as the mapping it encodes. Saves decoding and encoding it again in bulk."""


Plaintext = bytes | Mapping[str, Any]

_VERSION = 1
_KIND_BYTES = 0
_KIND_JSON = 1
_NONCE = 12
_HEADER = 2
_WRAP_AAD = b"lawful-vault-key-v1:"
_BYTES_HEADER = bytes((_VERSION, _KIND_BYTES))
_JSON_HEADER = bytes((_VERSION, _KIND_JSON))


def encrypt(session: Session, *, keys: Keyring, subject_id: str, plaintext: Plaintext) -> bytes:
    return encrypt_many(session, keys=keys, items=[(subject_id, plaintext)])[0]


def encrypt_many(
    session: Session, *, keys: Keyring, items: Sequence[tuple[str, Plaintext]]
) -> list[bytes]:
    """Encrypt for many subjects, creating missing keys with one query each way."""
    cache: dict[str, str] = {}
    pseudonymise = keys.pseudonymiser()
    refs = []
    for subject_id, _ in items:
        ref = cache.get(subject_id)
        if ref is None:
            ref = cache[subject_id] = pseudonymise(subject_id)
        refs.append(ref)
    return encrypt_for_pseudonyms(
        session,
        keys=keys,
        items=[(ref, plaintext) for ref, (_, plaintext) in zip(refs, items, strict=True)],
    )


def encrypt_for_pseudonyms(
    session: Session, *, keys: Keyring, items: Sequence[tuple[str, Plaintext]]
) -> list[bytes]:
    """As `encrypt_many`, for callers that already hold the subjects' pseudonyms (the ledger)."""
    return Sealer(session, keys).seal(items)


class Sealer:
    """Encrypts for subjects known by pseudonym over several batches of one transaction, reading
    and unwrapping each subject's key once (creating the missing ones, as `encrypt_many`)."""

    def __init__(self, session: Session, keys: Keyring) -> None:
        self._session, self._keys = session, keys
        self._ciphers: dict[str, AESGCM] = {}

    def sealing(self, refs: Collection[str]) -> Callable[[str, bytes], bytes]:
        """Encryption of raw bytes or `JsonText` for these subjects, one item at a time: for a
        caller that encrypts and encodes each item in one pass."""
        ciphers = self._ciphers
        missing = {ref for ref in refs if ref not in ciphers}
        if missing:
            ciphers.update(_ciphers(self._session, self._keys, missing, create=True))
        randomness = _Nonces()

        def seal(ref: str, data: bytes) -> bytes:
            header = _JSON_HEADER if isinstance(data, JsonText) else _BYTES_HEADER
            nonce = randomness.next()
            return header + nonce + ciphers[ref].encrypt(nonce, data, header + ref.encode())

        return seal

    def seal(self, items: Sequence[tuple[str, Plaintext]]) -> list[bytes]:
        if not items:
            return []
        ciphers = self._ciphers
        missing = {ref for ref, _ in items if ref not in ciphers}
        if missing:
            ciphers.update(_ciphers(self._session, self._keys, missing, create=True))
        # One read of the system's randomness for the whole batch, sliced into nonces.
        nonces = os.urandom(_NONCE * len(items))
        out = []
        data: bytes
        for i, (ref, plaintext) in enumerate(items):
            if isinstance(plaintext, JsonText):
                header, data = _JSON_HEADER, plaintext
            elif isinstance(plaintext, bytes):
                header, data = _BYTES_HEADER, plaintext
            else:
                header, data = _JSON_HEADER, _dump_json(plaintext)
            nonce = nonces[i * _NONCE : (i + 1) * _NONCE]
            out.append(header + nonce + ciphers[ref].encrypt(nonce, data, header + ref.encode()))
        return out


class _Nonces:
    """Nonces cut from the system's randomness read in blocks: one read per thousands of items."""

    __slots__ = ("_at", "_block")
    _SIZE = _NONCE * 4096

    def __init__(self) -> None:
        self._block, self._at = b"", self._SIZE

    def next(self) -> bytes:
        at = self._at
        if at >= len(self._block):
            self._block, at = os.urandom(self._SIZE), 0
        self._at = at + _NONCE
        return self._block[at : at + _NONCE]


def key_states(session: Session, *, pseudonyms: Collection[str]) -> dict[str, bool]:
    """Which subjects the vault knows, by pseudonym, and whether each key is live (False: shredded
    by an erasure); absent: never known. One query per few thousand pseudonyms."""
    return {
        ref: wrapped is not None
        for ref, (wrapped, _) in repository.wrapped_keys(session, pseudonyms).items()
    }


def decrypt(
    session: Session, *, keys: Keyring, subject_id: str, ciphertext: bytes
) -> bytes | dict[str, Any]:
    """The plaintext as it was given: bytes, or the mapping decoded from JSON."""
    return decrypt_many(session, keys=keys, subject_id=subject_id, ciphertexts=[ciphertext])[0]


def decrypt_many(
    session: Session, *, keys: Keyring, subject_id: str, ciphertexts: Sequence[bytes]
) -> list[bytes | dict[str, Any]]:
    return decrypt_for_pseudonym(
        session, keys=keys, pseudonym=keys.pseudonymise(subject_id), ciphertexts=ciphertexts
    )


def decrypt_for_pseudonym(
    session: Session, *, keys: Keyring, pseudonym: str, ciphertexts: Sequence[bytes]
) -> list[bytes | dict[str, Any]]:
    cipher = _ciphers(session, keys, {pseudonym}, create=False)[pseudonym]
    return [_open(cipher, pseudonym, ciphertext) for ciphertext in ciphertexts]


def decrypt_items(
    session: Session, *, keys: Keyring, items: Sequence[tuple[str, bytes]]
) -> list[bytes | dict[str, Any] | None]:
    """Decrypt ciphertexts of many subjects with one key lookup; None where the subject's key
    was destroyed (erased: the text is gone for good) or never made."""
    if not items:
        return []
    pseudonymise = keys.pseudonymiser()
    refs = [pseudonymise(subject_id) for subject_id, _ in items]
    stored = repository.wrapped_keys(session, set(refs))
    masters: dict[int, AESGCM] = {}
    ciphers: dict[str, AESGCM | None] = {}
    for ref, (wrapped, version) in stored.items():
        if wrapped is None:
            ciphers[ref] = None
            continue
        master = masters.get(version) or masters.setdefault(version, AESGCM(keys.master(version)))
        ciphers[ref] = AESGCM(_unwrap(master, ref, wrapped))
    out: list[bytes | dict[str, Any] | None] = []
    for ref, (_, ciphertext) in zip(refs, items, strict=True):
        cipher = ciphers.get(ref)
        out.append(None if cipher is None else _open(cipher, ref, ciphertext))
    return out


def decrypt_json(
    session: Session, *, keys: Keyring, subject_id: str, ciphertext: bytes
) -> dict[str, Any]:
    value = decrypt(session, keys=keys, subject_id=subject_id, ciphertext=ciphertext)
    if not isinstance(value, dict):
        raise InvalidInput("the ciphertext holds raw bytes, not a JSON object")
    return value


# --- erasure ----------------------------------------------------------------------------------


def shred(session: Session, *, keys: Keyring, subject_id: str) -> bool:
    """Destroy the subject's key for good, and list the subject as erased outside the database
    (see `tombstones`). True if a live key was destroyed."""
    return shred_many(session, keys=keys, subject_ids=[subject_id]) == 1


def shred_many(session: Session, *, keys: Keyring, subject_ids: Sequence[str]) -> int:
    """`shred` for many subjects at once; returns how many live keys were destroyed."""
    pseudonymise = keys.pseudonymiser()
    refs = list(dict.fromkeys(pseudonymise(s) for s in subject_ids))
    tombstones.append(keys.erased_subjects, refs)
    mark_erasure(session)
    return repository.shred_many(session, refs, now=utcnow())


def erased_pseudonyms(keys: Keyring) -> set[str]:
    """Every subject ever erased in this installation, by pseudonym."""
    return tombstones.read(keys.erased_subjects)


def forgotten_again(session: Session, *, keys: Keyring) -> set[str]:
    """Listed erased subjects whose key is not destroyed in this database: alive again, or
    absent altogether — what a backup taken before their erasure brings back when restored."""
    listed = erased_pseudonyms(keys)
    if not listed:
        return set()
    return listed - repository.shredded_refs(session, listed)


def shred_pseudonyms(session: Session, *, pseudonyms: Sequence[str]) -> int:
    """Destroy the keys of subjects known by pseudonym (replaying erasures after a restore)."""
    mark_erasure(session)
    return repository.shred_many(session, list(pseudonyms), now=utcnow())


def is_shredded(session: Session, *, keys: Keyring, subject_id: str) -> bool:
    ref = keys.pseudonymise(subject_id)
    return ref in repository.shredded_refs(session, [ref])


# --- master key rotation ----------------------------------------------------------------------


def rewrap_all(
    session: Session, *, keys: Keyring, batch: int = 5_000, after: str = ""
) -> tuple[int, str | None]:
    """Rewrap up to `batch` live subject keys still wrapped by an older master version with the
    current one; returns (how many, the last ref done or None when none is left). The caller
    commits each batch, so a rotation interrupted midway resumes where it stopped."""
    current = keys.master_version
    rows = repository.wrapped_before(session, version=current, after=after, limit=batch)
    if not rows:
        return 0, None
    masters: dict[int, AESGCM] = {}
    fresh = AESGCM(keys.master(current))
    updates = []
    for ref, wrapped, version in rows:
        old = masters.get(version) or masters.setdefault(version, AESGCM(keys.master(version)))
        subject_key = _unwrap(old, ref, wrapped)
        updates.append(
            {"ref": ref, "old": version, "new": current, "key": _wrap(fresh, ref, subject_key)}
        )
    repository.rewrap(session, updates)
    return len(rows), rows[-1][0]


def keys_to_rewrap(session: Session, *, keys: Keyring) -> int:
    return repository.count_older(session, version=keys.master_version)


def keys_wrapped_below(session: Session, *, version: int) -> int:
    return repository.count_older(session, version=version)


def _ciphers(session: Session, keys: Keyring, refs: set[str], *, create: bool) -> dict[str, AESGCM]:
    stored = repository.wrapped_keys(session, refs)
    missing = refs - stored.keys()
    if missing and create:
        version = keys.master_version
        master = AESGCM(keys.master(version))
        repository.insert_keys(
            session,
            {ref: _wrap(master, ref, AESGCM.generate_key(256)) for ref in missing},
            version=version,
            now=utcnow(),
        )
        # Re-read rather than trust our own keys: a concurrent writer's key may have won.
        stored.update(repository.wrapped_keys(session, missing))
        missing = set()
    if missing:
        raise KeyDestroyed(f"no key for {len(missing)} subject(s): none made, or it was removed")
    masters: dict[int, AESGCM] = {}
    ciphers = {}
    for ref in refs:
        wrapped, version = stored[ref]
        if wrapped is None:
            raise KeyDestroyed("the subject's key was destroyed (erasure): the data is unreadable")
        master = masters.get(version) or masters.setdefault(version, AESGCM(keys.master(version)))
        ciphers[ref] = AESGCM(_unwrap(master, ref, wrapped))
    return ciphers


def _wrap(master: AESGCM, ref: str, key: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + master.encrypt(nonce, key, _WRAP_AAD + ref.encode())


def _unwrap(master: AESGCM, ref: str, wrapped: bytes) -> bytes:
    try:
        return master.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _WRAP_AAD + ref.encode())
    except InvalidTag as exc:
        raise InvalidInput(
            "a subject key does not open with this installation's master key"
        ) from exc


def _open(cipher: AESGCM, ref: str, ciphertext: bytes) -> bytes | dict[str, Any]:
    header = ciphertext[:_HEADER]
    if len(ciphertext) < _HEADER + _NONCE + 16 or header[0] != _VERSION:
        raise InvalidInput("not a vault ciphertext")
    nonce = ciphertext[_HEADER : _HEADER + _NONCE]
    try:
        data = cipher.decrypt(nonce, ciphertext[_HEADER + _NONCE :], header + ref.encode())
    except InvalidTag as exc:
        raise InvalidInput("the ciphertext was altered or belongs to another subject") from exc
    if header[1] == _KIND_JSON:
        value = json.loads(data)
        if not isinstance(value, dict):
            raise InvalidInput("a JSON ciphertext must hold an object")
        return value
    return data


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise InvalidInput(f"details must be JSON data; {type(value).__name__} is not")


_JSON = json.JSONEncoder(
    default=_json_default, ensure_ascii=False, separators=(",", ":"), sort_keys=True
)


def _dump_json(value: Mapping[str, Any]) -> bytes:
    return _JSON.encode(value if isinstance(value, dict) else dict(value)).encode()
