"""File I/O with and without the file view (bench/run, "Files inside the binary").

  disk PATH N     N times open() + read() of a file on disk (what the view must not slow down)
  open N          N times open() + read() of the 1 MB embedded data file big.bin, by path
  resources N     the same through importlib.resources
"""

import importlib.resources
import os
import sys


def main():
    mode, *rest = sys.argv[1:]
    if mode == "disk":
        path, count = rest[0], int(rest[1])
        for _ in range(count):
            with open(path, "rb") as f:
                f.read()
    elif mode == "open":
        path = os.path.join(os.path.dirname(__file__), "big.bin")
        for _ in range(int(rest[0])):
            with open(path, "rb") as f:
                assert len(f.read()) == 1 << 20
    elif mode == "resources":
        files = importlib.resources.files("fileio")
        for _ in range(int(rest[0])):
            with files.joinpath("big.bin").open("rb") as f:
                assert len(f.read()) == 1 << 20
    else:
        sys.exit(f"unknown mode {mode!r}")
