"""A Python program for Windows run from the blob by runtime/main_windows.c (test_windows_runtime.py)."""

import json
import sys


def main():
    print("hello from rules_pystatic on", sys.platform, "argv", sys.argv[1:])
    print("executable", sys.executable.rpartition("\\")[2], "frozen", getattr(sys, "frozen", False))
    print("module", __name__, "from the blob:", __file__.startswith(sys.executable + "/"))
    print("json", json.loads(json.dumps({"ünïcode": [1, 2.5, None]})))
    return 3
