"""Imports the module named on the command line by name (invisible to the pack step's scan)."""

import importlib
import sys

try:
    module = importlib.import_module(sys.argv[1])
except ImportError as error:
    print(f"{type(error).__name__}: {error}")
    sys.exit(1)
print(f"imported {module.__name__}")
