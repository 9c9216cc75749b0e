"""The keyring: made only by `init`, refused when missing or damaged, rotated by versions."""

from __future__ import annotations

import hmac
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.errors import ConfigurationError, Conflict, KeyDestroyed
from lawful.core.vault import keys, tombstones
from lawful.core.vault import service as vault
from lawful.core.vault.keys import Keyring


def test_init_makes_private_files_outside_the_repository(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    made = keys.init_keyring(directory)
    assert not directory.resolve().is_relative_to(Path(__file__).resolve().parents[3])
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    for name in (keys.master_key_file(1), keys.PSEUDONYM_KEY_FILE, keys.SIGNING_KEY_FILE):
        assert stat.S_IMODE(os.stat(directory / name).st_mode) == 0o600, name
    assert not [p for p in directory.iterdir() if p.name.startswith(".") and "lock" not in p.name]
    again = keys.open_keyring(directory)
    assert again.pseudonymise("c-1") == made.pseudonymise("c-1")
    assert again.master(1) == made.master(1)


def test_init_never_overwrites_a_keyring(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    first = keys.init_keyring(directory)
    with pytest.raises(Conflict, match="already exist"):
        keys.init_keyring(directory)
    # A partial keyring is not topped up either: its missing key must come from the backup.
    (directory / keys.SIGNING_KEY_FILE).unlink()
    with pytest.raises(Conflict):
        keys.init_keyring(directory)
    assert (directory / keys.PSEUDONYM_KEY_FILE).read_bytes() == first.pseudonym_key


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (keys.PSEUDONYM_KEY_FILE, "is missing"),
        (keys.SIGNING_KEY_FILE, "is missing"),
        (keys.master_key_file(1), "no vault master key"),
    ],
)
def test_a_missing_key_is_refused_never_recreated(
    tmp_path: Path, broken: str, message: str
) -> None:
    directory = tmp_path / "keys"
    keys.init_keyring(directory)
    (directory / broken).unlink()
    with pytest.raises(ConfigurationError, match=message):
        keys.open_keyring(directory)
    assert not (directory / broken).exists()


def test_a_damaged_or_absent_keyring_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="run `lawful init`"):
        keys.open_keyring(tmp_path / "nowhere")
    directory = tmp_path / "keys"
    keys.init_keyring(directory)
    (directory / keys.PSEUDONYM_KEY_FILE).write_bytes(b"short")
    with pytest.raises(ConfigurationError, match="damaged"):
        keys.open_keyring(directory)


def test_pseudonyms_are_stable_keyed_and_not_the_id(keyring: Keyring, tmp_path: Path) -> None:
    assert keyring.pseudonymise("c-1") == keyring.pseudonymise("c-1")
    assert keyring.pseudonymise("c-1") != keyring.pseudonymise("c-2")
    assert len(keyring.pseudonymise("c-1")) == 64 and "c-1" not in keyring.pseudonymise("c-1")
    # Another installation's pseudonyms do not match ours.
    assert keys.init_keyring(tmp_path / "k").pseudonymise("c-1") != keyring.pseudonymise("c-1")
    # A staff member's pseudonym is never the pseudonym of a subject with the same id.
    assert keyring.staff_pseudonym("c-1") != keyring.pseudonymise("c-1")


def test_bulk_pseudonyms_are_hmac_sha256_as_the_readme_says(keyring: Keyring) -> None:
    ids = ["", "a", "0" * 32, "é" * 70]
    one = keyring.pseudonymiser()
    expected = [hmac.digest(keyring.pseudonym_key, i.encode(), "sha256") for i in ids]
    assert [one(i) for i in ids] == [keyring.pseudonymise(i) for i in ids]
    assert [one(i) for i in ids] == [e.hex() for e in expected]
    assert keyring.pseudonym_digests(ids) == expected
    theirs = keyring.recipient_pseudonymiser("rhenus-re")
    key = hmac.digest(keyring.pseudonym_key, b"recipient-pseudonym-key:rhenus-re", "sha256")
    assert [theirs(i) for i in ids] == [hmac.digest(key, i.encode(), "sha256").hex() for i in ids]


def test_master_rotation_rewraps_every_key_and_destroying_the_old_one_forgets_backups(
    session: Session, tmp_path: Path
) -> None:
    directory = tmp_path / "keys"
    before = keys.init_keyring(directory)
    alive = vault.encrypt(session, keys=before, subject_id="alive", plaintext=b"kept")
    erased = vault.encrypt(session, keys=before, subject_id="erased", plaintext=b"secret")
    # A backup taken now holds both subject keys, wrapped by master version 1.
    backup = session.execute(sa.text("SELECT subject_ref, wrapped_key FROM vault_key")).all()
    vault.shred(session, keys=before, subject_id="erased")

    assert keys.add_master_version(directory) == 2
    after = keys.open_keyring(directory)
    assert vault.keys_to_rewrap(session, keys=after) == 1  # the shredded key is not rewrapped
    count, last = vault.rewrap_all(session, keys=after, batch=10)
    assert count == 1 and last is not None
    assert vault.rewrap_all(session, keys=after, after=last) == (0, None)
    assert vault.decrypt(session, keys=after, subject_id="alive", ciphertext=alive) == b"kept"
    assert keys.destroy_master_versions(directory, below=2) == [1]
    final = keys.open_keyring(directory)
    assert set(final.masters) == {2}
    assert vault.decrypt(session, keys=final, subject_id="alive", ciphertext=alive) == b"kept"

    # The backup restored: the erased person's key is back in the table, but nothing opens it.
    ref = final.pseudonymise("erased")
    wrapped = dict(backup)[ref]
    session.execute(
        sa.text("UPDATE vault_key SET wrapped_key = :w, master_version = 1 WHERE subject_ref = :r"),
        {"w": wrapped, "r": ref},
    )
    with pytest.raises(ConfigurationError, match="version 1"):
        vault.decrypt(session, keys=final, subject_id="erased", ciphertext=erased)
    with pytest.raises(KeyDestroyed):
        vault.decrypt(session, keys=before, subject_id="nobody", ciphertext=erased)


def test_every_shredding_is_listed_outside_the_database(session: Session, tmp_path: Path) -> None:
    keyring = keys.init_keyring(tmp_path / "keys")
    vault.encrypt(session, keys=keyring, subject_id="p-1", plaintext=b"x")
    vault.shred_many(session, keys=keyring, subject_ids=["p-1", "p-2", "p-1"])
    listed = vault.erased_pseudonyms(keyring)
    assert listed == {keyring.pseudonymise("p-1"), keyring.pseudonymise("p-2")}
    assert "p-1" not in keyring.erased_subjects.read_text()
    assert stat.S_IMODE(os.stat(keyring.erased_subjects).st_mode) == 0o600


def test_a_torn_line_in_the_erased_list_is_ignored_and_the_next_starts_its_own(
    tmp_path: Path,
) -> None:
    path = tmp_path / tombstones.FILE_NAME
    tombstones.append(path, ["a"])
    with path.open("ab") as torn:
        torn.write(b'{"subject": "b", "a')
    tombstones.append(path, ["c"])
    assert tombstones.read(path) == {"a", "c"}
    assert tombstones.read(tmp_path / "absent.jsonl") == set()
