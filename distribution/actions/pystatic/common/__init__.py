"""Helpers shared by every phase's action scripts (both modules)."""
