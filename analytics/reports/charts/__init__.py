"""Altair charts built from report frames, by the page they serve; none reads the store."""
