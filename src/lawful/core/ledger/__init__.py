"""The append-only, hash-chained ledger of every decision about personal data.

Use it through `lawful.core.ledger.service` (append, verify, checkpoint, read).
"""
