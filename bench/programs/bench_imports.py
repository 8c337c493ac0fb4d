"""Runs each argument as an import statement, timing it; prints one JSON line.

Run by bench/native_wheels.py inside a py_static_binary (the wheels' shared objects embedded and
loaded from memory) and by the same CPython build with the same wheels unpacked on disk
(PYTHONPATH), with the same arguments, e.g. `import numpy` `from PIL import Image, ImageFont`.
Prints {"imports": {statement: ns}, "status": {VmRSS, VmHWM, RssAnon, RssFile: KiB}} after them."""

import json
import sys
import time


def status():
    values = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                values[key] = int(rest.split()[0])  # kB
    return values


def main():
    imports = {}
    for statement in sys.argv[1:]:
        start = time.perf_counter_ns()
        exec(statement, {})
        imports[statement] = time.perf_counter_ns() - start
    print(json.dumps({"imports": imports, "status": status()}))


if __name__ == "__main__":
    main()
