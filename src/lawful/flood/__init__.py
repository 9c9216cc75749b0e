"""Flood underwriting: the partner's risk zones and building classes, and the cover they propose."""
