"""The smallest py_static_binary: prints where it runs from and what it is made of."""

import platform
import sys


def main():
    print(f"hello from rules_pystatic: Python {platform.python_version()} on {platform.machine()}, one static executable")
    print(f"sys.executable = {sys.executable}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
