"""The ledger's public face: signed tree heads, consistency proofs and the keys to check them.

Nothing here is personal data: hashes, sizes, times and public keys, served to anyone.
"""
