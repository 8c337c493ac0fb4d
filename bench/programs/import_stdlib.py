"""Imports every module named in a file (one per line); prints how many imported and failed.

Run by bench/run inside a py_static_binary (modules from the embedded blob) and by python3 -I -S
(modules from disk), with the same list."""

import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        names = f.read().split()
    imported = failed = 0
    for name in names:
        try:
            __import__(name)
            imported += 1
        except Exception:
            failed += 1
    print(imported, failed)


if __name__ == "__main__":
    main()
