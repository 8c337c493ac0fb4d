"""The smallest py_static_binary: prints where it runs from. Imports nothing that start-up does
not load anyway (bench/run compares its start-up with `python3 -I -S -c pass`)."""

import sys


def main():
    version = ".".join(map(str, sys.version_info[:3]))
    # The target triple on Linux (x86_64-linux-musl); Windows' CPython has no _multiarch: win32.
    platform = getattr(sys.implementation, "_multiarch", sys.platform)
    print(f"hello from rules_pystatic: Python {version} on {platform}, one static executable")
    print(f"sys.executable = {sys.executable}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
