"""The ledger of every decision about personal data, a transparency log (RFC 9162).

Use it through `lawful.core.ledger.service` (append, read, sequence, prove, verify).
"""
