"""Complaint handling (activity 16): the complaints register, its deadlines, data requests."""
