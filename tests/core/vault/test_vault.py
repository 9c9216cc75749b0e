"""The vault: per-subject keys, encryption, crypto-shredding, and the key files."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput, KeyDestroyed
from lawful.core.vault import service as vault
from lawful.core.vault.keys import Keyring


def test_bytes_and_mappings_round_trip(session: Session, keyring: Keyring) -> None:
    raw = vault.encrypt(session, keys=keyring, subject_id="c-1", plaintext=b"\x00binary")
    mapping = vault.encrypt(
        session, keys=keyring, subject_id="c-1", plaintext={"iban": "BE68 5390 0754 7034"}
    )
    assert vault.decrypt(session, keys=keyring, subject_id="c-1", ciphertext=raw) == b"\x00binary"
    assert vault.decrypt(session, keys=keyring, subject_id="c-1", ciphertext=mapping) == {
        "iban": "BE68 5390 0754 7034"
    }
    assert b"BE68" not in mapping
    with pytest.raises(InvalidInput):
        vault.decrypt_json(session, keys=keyring, subject_id="c-1", ciphertext=raw)


def test_same_plaintext_encrypts_differently_each_time(session: Session, keyring: Keyring) -> None:
    a = vault.encrypt(session, keys=keyring, subject_id="c-1", plaintext=b"same")
    b = vault.encrypt(session, keys=keyring, subject_id="c-1", plaintext=b"same")
    assert a != b


def test_one_key_per_subject_stored_under_the_pseudonym(session: Session, keyring: Keyring) -> None:
    vault.encrypt_many(
        session,
        keys=keyring,
        items=[("c-1", b"a"), ("c-2", b"b"), ("c-1", b"c"), ("c-3", {"k": 1})],
    )
    refs = session.execute(sa.text("SELECT subject_ref FROM vault_key")).scalars().all()
    assert sorted(refs) == sorted(keyring.pseudonymise(s) for s in ("c-1", "c-2", "c-3"))
    stored = session.execute(sa.text("SELECT wrapped_key FROM vault_key")).scalars().all()
    assert all(len(key) == 12 + 32 + 16 for key in stored)  # nonce, AES-256 key, tag


def test_a_ciphertext_does_not_open_for_another_subject(session: Session, keyring: Keyring) -> None:
    ciphertext = vault.encrypt(session, keys=keyring, subject_id="c-1", plaintext=b"secret")
    vault.encrypt(session, keys=keyring, subject_id="c-2", plaintext=b"x")
    with pytest.raises(InvalidInput):
        vault.decrypt(session, keys=keyring, subject_id="c-2", ciphertext=ciphertext)


def test_an_altered_ciphertext_is_refused(session: Session, keyring: Keyring) -> None:
    ciphertext = bytearray(
        vault.encrypt(session, keys=keyring, subject_id="c-1", plaintext=b"secret")
    )
    ciphertext[-1] ^= 1
    with pytest.raises(InvalidInput):
        vault.decrypt(session, keys=keyring, subject_id="c-1", ciphertext=bytes(ciphertext))


def test_shredding_destroys_the_key_for_good(session: Session, keyring: Keyring) -> None:
    ciphertext = vault.encrypt(session, keys=keyring, subject_id="c-1", plaintext=b"secret")
    other = vault.encrypt(session, keys=keyring, subject_id="c-2", plaintext=b"kept")
    assert vault.shred(session, keys=keyring, subject_id="c-1") is True
    assert vault.is_shredded(session, keys=keyring, subject_id="c-1")
    with pytest.raises(KeyDestroyed):
        vault.decrypt(session, keys=keyring, subject_id="c-1", ciphertext=ciphertext)
    # No fresh key is minted behind the erasure's back.
    with pytest.raises(KeyDestroyed):
        vault.encrypt(session, keys=keyring, subject_id="c-1", plaintext=b"new")
    assert vault.shred(session, keys=keyring, subject_id="c-1") is False
    assert vault.decrypt(session, keys=keyring, subject_id="c-2", ciphertext=other) == b"kept"
    wrapped = session.execute(
        sa.text("SELECT wrapped_key FROM vault_key WHERE subject_ref = :r"),
        {"r": keyring.pseudonymise("c-1")},
    ).scalar_one()
    assert wrapped is None


def test_shredding_an_unknown_subject_leaves_a_tombstone(
    session: Session, keyring: Keyring
) -> None:
    assert vault.shred(session, keys=keyring, subject_id="never-seen") is False
    assert vault.is_shredded(session, keys=keyring, subject_id="never-seen")
    assert not vault.is_shredded(session, keys=keyring, subject_id="someone-else")


def test_decrypting_for_a_subject_without_key_is_key_destroyed(
    session: Session, keyring: Keyring
) -> None:
    ciphertext = vault.encrypt(session, keys=keyring, subject_id="c-1", plaintext=b"x")
    with pytest.raises(KeyDestroyed):
        vault.decrypt(session, keys=keyring, subject_id="c-9", ciphertext=ciphertext)


def test_many_subjects_cost_one_lookup_and_one_insert(session: Session, keyring: Keyring) -> None:
    statements: list[str] = []
    connection = session.connection()
    sa.event.listen(connection, "before_cursor_execute", lambda *args: statements.append(args[2]))
    items = [(f"c-{i}", {"i": i}) for i in range(300)]
    ciphertexts = vault.encrypt_many(session, keys=keyring, items=items)
    assert len(ciphertexts) == 300
    # Lookup, insert of the new keys, re-read of what was inserted: three statements, not 900.
    assert len(statements) == 3, statements
    statements.clear()
    vault.encrypt_many(session, keys=keyring, items=items)
    assert len(statements) == 1
    assert vault.decrypt_many(
        session, keys=keyring, subject_id="c-7", ciphertexts=[ciphertexts[7]]
    ) == [{"i": 7}]
