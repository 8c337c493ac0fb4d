"""Fails while it is imported."""

raise ValueError("broken on purpose")
