"""Prints what -OO changes: sys.flags.optimize, asserts and docstrings."""

import sys


def documented():
    """A docstring that -OO removes."""


try:
    assert False, "asserts run"
    asserts = "removed"
except AssertionError:
    asserts = "kept"

print(sys.flags.optimize, asserts, documented.__doc__)
