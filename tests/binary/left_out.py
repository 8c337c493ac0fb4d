"""Imports the module named on the command line by name (invisible to the pack step's scan), or
with `encode=NAME` encodes a string with that codec (looked up by name at run time), or with
`frozen` says where os comes from and fails inside it (a module CPython freezes)."""

import importlib
import sys

if sys.argv[1] == "frozen":
    import _imp
    import os

    print(_imp.is_frozen("os"), _imp.is_frozen("_frozen_importlib"), os.__file__ == sys.executable + "/os.py")
    os.fsencode(1)

if sys.argv[1].startswith("encode="):
    try:
        "\u3042".encode(sys.argv[1].partition("=")[2])
    except LookupError as error:
        print(f"LookupError: {error}")
        sys.exit(1)
    print("encoded")
    sys.exit(0)
try:
    module = importlib.import_module(sys.argv[1])
except ImportError as error:
    print(f"{type(error).__name__}: {error}")
    sys.exit(1)
print(f"imported {module.__name__}")
