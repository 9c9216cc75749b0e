"""Reinsurance: treaties and facultative placements, and the bordereaux sent under them."""
