"""A package of the outside workspace."""
