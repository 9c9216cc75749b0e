"""Per-subject keys: encryption of personal details and crypto-shredding on erasure.

Use it through `lawful.core.vault.service`; `keys` holds the installation's secret files.
"""
