"""lawful: the privacy statement is code."""

__version__ = "0.1.0"
