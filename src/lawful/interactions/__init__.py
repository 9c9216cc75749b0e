"""Conversations (activities 3 and 5) and the virtual assistant (activity 12)."""
