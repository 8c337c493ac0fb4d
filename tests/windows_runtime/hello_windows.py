"""A Python program for Windows run from the blob by runtime/main_windows.c (test_windows_runtime.py)."""

import errno
import json
import multiprocessing
import os
import pathlib
import sys


def square(x):
    return x * x


def main():
    print("hello from rules_pystatic on", sys.platform, "argv", sys.argv[1:])
    print("executable", sys.executable.rpartition("\\")[2], "frozen", getattr(sys, "frozen", False))
    # Windows' own separator below the executable, as os.path.abspath spells paths.
    print("module", __name__, "from the blob:", __file__ == os.path.abspath(__file__) == sys.executable + "\\hello_windows.py")
    print("json", json.loads(json.dumps({"ünïcode": [1, 2.5, None]})))
    # The file view: the embedded tree below the executable, with Windows' separator or the slash.
    here = os.path.dirname(__file__)
    data = os.path.join(here, "hello_data")
    with open(os.path.join(data, "greeting.txt"), encoding="utf-8") as f:
        print("file", f.read().strip(), os.listdir(data), os.path.isdir(data), os.path.isfile(data),
              os.path.exists(os.path.join(data, "missing.txt")), os.path.getsize(os.path.join(data, "greeting.txt")))
    print("pathlib", pathlib.Path(sys.executable + "/hello_data/greeting.txt").read_text(encoding="utf-8").strip(),
          sorted(p.name for p in pathlib.Path(here, "hello_data").iterdir()))
    try:
        open(os.path.join(data, "new.txt"), "w")
    except OSError as error:
        print("write", errno.errorcode[error.errno])
    # spawn (Windows' only start method) runs this executable again: --multiprocessing-fork.
    with multiprocessing.Pool(2) as pool:
        print(multiprocessing.get_start_method(), "pool", pool.map(square, range(5)))
    return 3
