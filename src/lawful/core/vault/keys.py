"""The installation's secrets, kept as files under `<home>/keys` and created on first use.

Three keys: the vault master key (wraps every subject key), the pseudonym key (HMAC of subject ids)
and the ledger signing key (Ed25519, signs checkpoints). None of them ever enters the database, so a
copy of the database alone cannot unwrap a subject key, link a pseudonym to a person or forge a
checkpoint.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lawful.config import HOME_VARIABLE, get_settings
from lawful.core.errors import ConfigurationError

MASTER_KEY_FILE = "vault-master.key"
PSEUDONYM_KEY_FILE = "pseudonym.key"
SIGNING_KEY_FILE = "ledger-signing.key"
# Public halves of the signing keys rotated out, one `<key id>.pub` file each.
RETIRED_SIGNING_KEYS = "ledger-signing-retired"

_cache: dict[tuple[str | None, str], bytes] = {}
_lock = threading.Lock()


def keys_dir() -> Path:
    return get_settings().keys_dir


def _secret(name: str) -> bytes:
    # Keyed on the raw setting, not on a Path built from it: asked on every ledger append.
    key = (os.environ.get(HOME_VARIABLE), name)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    with _lock:
        value = _load_or_create(keys_dir() / name)
        _cache[key] = value
        return value


def _load_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            # link() fails if another process won the race; everyone then reads the winner's key,
            # so two processes starting together never end up with two different master keys.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    data = path.read_bytes()
    if len(data) != 32:
        raise ConfigurationError(f"key file {path} is damaged ({len(data)} bytes, expected 32)")
    return data


def master_key() -> bytes:
    return _secret(MASTER_KEY_FILE)


def pseudonym_key() -> bytes:
    return _secret(PSEUDONYM_KEY_FILE)


def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_secret(SIGNING_KEY_FILE))


def verify_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def verify_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key whose checkpoints this installation accepts, by key id: the current
    signing key's and those of the keys it retired."""
    current = verify_key()
    known = {key_id(current): current}
    retired = keys_dir() / RETIRED_SIGNING_KEYS
    for path in sorted(retired.glob("*.pub")) if retired.is_dir() else []:
        data = path.read_bytes()
        if len(data) != 32:
            raise ConfigurationError(f"retired key {path} is damaged ({len(data)} bytes)")
        public = Ed25519PublicKey.from_public_bytes(data)
        if key_id(public) != path.stem:
            raise ConfigurationError(f"retired key {path} does not match its name")
        known[path.stem] = public
    return known


def rotate_signing_key() -> tuple[str, str]:
    """Retire the signing key and make a new one; returns (retired id, new id).

    The retired key's public half is kept (checkpoints it signed still verify) and written to
    disk before the private half is replaced, so that a crash in between loses neither; nothing
    can be signed with the retired key afterwards. Rotations from several processes queue on a
    lock file. A process that still holds the old key signs with it until restarted, and those
    checkpoints verify too.
    """
    directory = keys_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _lock, _file_lock(directory / ".rotation.lock"):
        path = directory / SIGNING_KEY_FILE
        old = Ed25519PrivateKey.from_private_bytes(_load_or_create(path)).public_key()
        old_id = key_id(old)
        retired = directory / RETIRED_SIGNING_KEYS
        retired.mkdir(mode=0o700, exist_ok=True)
        raw = old.public_bytes(Encoding.Raw, PublicFormat.Raw)
        _replace(retired / f"{old_id}.pub", raw)
        fresh = secrets.token_bytes(32)
        _replace(path, fresh)
        _cache.clear()
    return old_id, key_id(Ed25519PrivateKey.from_private_bytes(fresh).public_key())


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _replace(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file, fsynced, renamed over it, the folder
    fsynced so that the rename itself survives a power cut."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    _write_new(tmp, data)
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint naming which signing key produced a checkpoint."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def pseudonymise(subject_id: str) -> str:
    """HMAC-SHA256 of the subject id: stable per installation, not reversible without the key."""
    return hmac.digest(pseudonym_key(), subject_id.encode(), "sha256").hex()


def pseudonymiser() -> Callable[[str], str]:
    """`pseudonymise` with the key looked up once, for loops over many subjects."""
    key = pseudonym_key()
    digest = hmac.digest

    def pseudonym(subject_id: str) -> str:
        return digest(key, subject_id.encode(), "sha256").hex()

    return pseudonym


def forget_cached_keys() -> None:
    """Drop the in-process copies (tests switching LAWFUL_HOME, key rotation tooling)."""
    with _lock:
        _cache.clear()
