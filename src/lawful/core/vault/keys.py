"""The installation's secrets: files in one directory, created only by `lawful init`.

Three kinds of key: vault master keys (each wraps subject keys; versioned, so that the master key
can be replaced and the old one destroyed), the pseudonym key (HMAC of subject and staff ids) and
the ledger signing key (Ed25519). None of them ever enters the database, so a copy of the database
alone cannot unwrap a subject key, link a pseudonym to a person or forge a signed ledger head.

Nothing here creates a key as a side effect: a missing key means the installation is not what it
claims to be (a wrong directory, a lost volume), and a fresh key would silently split pseudonyms
and make the ledger look tampered with. `open_keyring` refuses instead; `init_keyring` is the one
place keys are born, and it refuses to run over an existing keyring.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lawful.core.errors import ConfigurationError, Conflict

PSEUDONYM_KEY_FILE = "pseudonym.key"
SIGNING_KEY_FILE = "ledger-signing.key"
# Public halves of the signing keys rotated out, one `<key id>.pub` file each.
RETIRED_SIGNING_KEYS = "ledger-signing-retired"
# Vault master keys, one `vault-master-<version>.key` each; the highest version wraps new keys.
_MASTER = re.compile(r"^vault-master-(\d{1,9})\.key$")
# Installations made before master keys had versions hold version 1 under this name.
_LEGACY_MASTER = "vault-master.key"
KEY_BYTES = 32
_STAFF_DOMAIN = b"staff:"
_RECIPIENT_DOMAIN = b"recipient-pseudonym-key:"


def master_key_file(version: int) -> str:
    return f"vault-master-{version}.key"


@dataclass(frozen=True)
class Keyring:
    """The keys of one installation, read once at start-up by the composition root."""

    directory: Path
    masters: dict[int, bytes] = field(repr=False)
    pseudonym_key: bytes = field(repr=False)
    signing_key: Ed25519PrivateKey = field(repr=False)
    retired: dict[str, Ed25519PublicKey] = field(repr=False)

    @property
    def erased_subjects(self) -> Path:
        """The list of erased subjects, replayed after a restore (see `tombstones`)."""
        return self.directory / "erased-subjects.jsonl"

    @property
    def master_version(self) -> int:
        """The version that wraps new subject keys: the highest one present."""
        return max(self.masters)

    def master(self, version: int) -> bytes:
        key = self.masters.get(version)
        if key is None:
            raise ConfigurationError(
                f"vault master key version {version} is not in this keyring (destroyed by "
                "`lawful keys rotate`, or a keyring from another installation)"
            )
        return key

    def pseudonymise(self, subject_id: str) -> str:
        """HMAC-SHA256 of the subject id: stable per installation, not reversible without it."""
        return hmac.digest(self.pseudonym_key, subject_id.encode(), "sha256").hex()

    def pseudonymiser(self) -> Callable[[str], str]:
        """`pseudonymise` for loops over many subjects (the key's hash states made once)."""
        digest = _hmac_sha256(self.pseudonym_key)

        def pseudonym(subject_id: str) -> str:
            return digest(subject_id.encode()).hex()

        return pseudonym

    def pseudonym_digests(self, subject_ids: Iterable[str]) -> list[bytes]:
        """The pseudonyms' 32 bytes (`pseudonymise` before hex), for many subjects at once."""
        digest = _hmac_sha256(self.pseudonym_key)
        return [digest(s.encode()) for s in subject_ids]

    def staff_pseudonym(self, staff_id: str) -> str:
        """Who acted, as the ledger names it: a pseudonym in a domain of its own, so that a
        staff id never yields the pseudonym of a subject with the same id."""
        return hmac.digest(self.pseudonym_key, _STAFF_DOMAIN + staff_id.encode(), "sha256").hex()

    def recipient_pseudonymiser(self, recipient: str) -> Callable[[str], str]:
        """Pseudonyms of subject ids for one recipient: HMAC-SHA256 under a key derived from the
        pseudonym key and the recipient's id. Stable for that recipient (its files over time
        link up, as it needs), different for every other, so that two recipients cannot join
        their files on it, nor on the ledger's pseudonyms; none is reversible without the key."""
        key = hmac.digest(self.pseudonym_key, _RECIPIENT_DOMAIN + recipient.encode(), "sha256")
        digest = _hmac_sha256(key)

        def pseudonym(subject_id: str) -> str:
            return digest(subject_id.encode()).hex()

        return pseudonym

    def verify_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def verify_keys(self) -> dict[str, Ed25519PublicKey]:
        """Every public key whose signatures this installation accepts, by key id: the current
        signing key's and those of the keys it retired."""
        current = self.verify_key()
        return {**self.retired, key_id(current): current}


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint naming which signing key produced a signature."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


# --- opening and creating -------------------------------------------------------------------


def keyring_exists(directory: Path) -> bool:
    """Whether any key file is there (a partial keyring counts: it must not be overwritten)."""
    if not directory.is_dir():
        return False
    names = {p.name for p in directory.iterdir()}
    return bool(
        names & {PSEUDONYM_KEY_FILE, SIGNING_KEY_FILE, _LEGACY_MASTER}
        or any(_MASTER.match(n) for n in names)
    )


def open_keyring(directory: Path) -> Keyring:
    """The keyring in `directory`; ConfigurationError naming what is missing or damaged."""
    if not directory.is_dir():
        raise ConfigurationError(f"no keys in {directory}: run `lawful init` first")
    masters = _masters(directory)
    if not masters:
        raise ConfigurationError(
            f"no vault master key in {directory}: restore the keys from their backup "
            "(a new key would make every encrypted detail unreadable)"
        )
    pseudonym = _read_secret(directory / PSEUDONYM_KEY_FILE)
    signing = Ed25519PrivateKey.from_private_bytes(_read_secret(directory / SIGNING_KEY_FILE))
    return Keyring(directory, masters, pseudonym, signing, _retired(directory))


def init_keyring(directory: Path) -> Keyring:
    """Create a new keyring; refuses (Conflict) if any key is already there."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    with _file_lock(directory / ".keys.lock"):
        if keyring_exists(directory):
            raise Conflict(f"keys already exist in {directory}: nothing was created")
        for name in (master_key_file(1), PSEUDONYM_KEY_FILE, SIGNING_KEY_FILE):
            _write_whole(directory / name, secrets.token_bytes(KEY_BYTES))
    return open_keyring(directory)


def _read_secret(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(
            f"key file {path} is missing: restore it from the keys' backup"
        ) from None
    except OSError as exc:
        raise ConfigurationError(f"key file {path} cannot be read: {exc.strerror}") from None
    if len(data) != KEY_BYTES:
        raise ConfigurationError(
            f"key file {path} is damaged ({len(data)} bytes, expected {KEY_BYTES})"
        )
    return data


def _masters(directory: Path) -> dict[int, bytes]:
    found = {}
    for path in directory.iterdir():
        match = _MASTER.match(path.name)
        if match:
            found[int(match.group(1))] = _read_secret(path)
    legacy = directory / _LEGACY_MASTER
    if legacy.exists() and 1 not in found:
        found[1] = _read_secret(legacy)
    return found


def _retired(directory: Path) -> dict[str, Ed25519PublicKey]:
    retired = directory / RETIRED_SIGNING_KEYS
    known = {}
    for path in sorted(retired.glob("*.pub")) if retired.is_dir() else []:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"retired key {path} cannot be read: {exc.strerror}") from None
        if len(data) != KEY_BYTES:
            raise ConfigurationError(f"retired key {path} is damaged ({len(data)} bytes)")
        public = Ed25519PublicKey.from_public_bytes(data)
        if key_id(public) != path.stem:
            raise ConfigurationError(f"retired key {path} does not match its name")
        known[path.stem] = public
    return known


# --- rotation ---------------------------------------------------------------------------------


def rotate_signing_key(directory: Path) -> tuple[str, str]:
    """Retire the signing key and make a new one; returns (retired id, new id).

    The retired key's public half is kept (what it signed still verifies) and written before the
    private half is replaced, so that a crash in between loses neither; nothing can be signed with
    the retired key afterwards. Rotations from several processes queue on a lock file. A process
    that still holds the old key signs with it until restarted, and that verifies too.
    """
    with _file_lock(directory / ".keys.lock"):
        old = Ed25519PrivateKey.from_private_bytes(
            _read_secret(directory / SIGNING_KEY_FILE)
        ).public_key()
        old_id = key_id(old)
        retired = directory / RETIRED_SIGNING_KEYS
        retired.mkdir(mode=0o700, exist_ok=True)
        _replace(retired / f"{old_id}.pub", old.public_bytes(Encoding.Raw, PublicFormat.Raw))
        fresh = secrets.token_bytes(KEY_BYTES)
        _replace(directory / SIGNING_KEY_FILE, fresh)
    return old_id, key_id(Ed25519PrivateKey.from_private_bytes(fresh).public_key())


def add_master_version(directory: Path) -> int:
    """Create the next vault master key version and return it; the older ones stay until
    `destroy_master_versions` (after every subject key was rewrapped)."""
    with _file_lock(directory / ".keys.lock"):
        version = max(_masters(directory), default=0) + 1
        _write_whole(directory / master_key_file(version), secrets.token_bytes(KEY_BYTES))
    return version


def destroy_master_versions(directory: Path, *, below: int) -> list[int]:
    """Delete every master key older than `below`; what they alone wrapped (subject keys in old
    backups, erased subjects' keys among them) can never be opened again."""
    destroyed = []
    with _file_lock(directory / ".keys.lock"):
        for version in sorted(_masters(directory)):
            if version >= below:
                continue
            for name in (master_key_file(version), *((_LEGACY_MASTER,) if version == 1 else ())):
                path = directory / name
                if path.exists():
                    _overwrite_and_unlink(path)
            destroyed.append(version)
        _fsync_directory(directory)
    return destroyed


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_whole(path: Path, data: bytes) -> None:
    """A new file, whole or not at all (temporary name, fsync, link); never over an existing one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    _write_new(tmp, data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise Conflict(f"{path} already exists: not overwritten") from None
    finally:
        tmp.unlink()
    _fsync_directory(path.parent)


def _replace(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file, fsynced, renamed over it, the folder
    fsynced so that the rename itself survives a power cut."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    _write_new(tmp, data)
    os.replace(tmp, path)
    _fsync_directory(path.parent)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _overwrite_and_unlink(path: Path) -> None:
    # Overwritten first: on a file system that rewrites in place, the old bytes are gone too.
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, b"\0" * KEY_BYTES)
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink()


def _fsync_directory(directory: Path) -> None:
    folder = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _hmac_sha256(key: bytes) -> Callable[[bytes], bytes]:
    """HMAC-SHA256 under `key` (RFC 2104) with the padded key's two hash states computed once:
    each message then costs two copies and two hashes, a third of `hmac.digest`'s time, which
    sets up the key again on every call."""
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    inner_copy, outer_copy = inner.copy, outer.copy

    def digest(message: bytes) -> bytes:
        state = inner_copy()
        state.update(message)
        result = outer_copy()
        result.update(state.digest())
        return result.digest()

    return digest
