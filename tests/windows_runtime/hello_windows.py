"""A Python program for Windows run from the blob by runtime/main_windows.c (test_windows_runtime.py)."""

import json
import multiprocessing
import sys


def square(x):
    return x * x


def main():
    print("hello from rules_pystatic on", sys.platform, "argv", sys.argv[1:])
    print("executable", sys.executable.rpartition("\\")[2], "frozen", getattr(sys, "frozen", False))
    print("module", __name__, "from the blob:", __file__.startswith(sys.executable + "/"))
    print("json", json.loads(json.dumps({"ünïcode": [1, 2.5, None]})))
    # spawn (Windows' only start method) runs this executable again: --multiprocessing-fork.
    with multiprocessing.Pool(2) as pool:
        print(multiprocessing.get_start_method(), "pool", pool.map(square, range(5)))
    return 3
