"""Runs each argument as an import statement, timing it; prints one JSON line.

Run by bench/native_wheels.py inside a py_static_binary, with the same arguments, e.g.
`import numpy` `from PIL import Image, ImageFont`:
  - as it is: the wheels' modules from the binary's blob, their shared objects loaded from memory;
  - with `--disk SITE` first: the packages found in SITE (the same wheels unpacked, their .pyc
    compiled beforehand) are imported from there instead, by a finder put before the binary's
    own importer: the same executable, interpreter and export table, only the files on disk.
Prints {"imports": {statement: ns}, "status": {VmRSS, VmHWM, RssAnon, RssFile: KiB}} after them."""

import json
import os
import sys
import time


class DiskFirst:
    """Finds the packages of one directory (and their submodules) on disk, before the blob."""

    def __init__(self, site):
        from importlib.machinery import PathFinder

        self.site = site
        self.find = PathFinder.find_spec
        self.names = {entry.partition(".")[0] for entry in os.listdir(site) if not entry.endswith((".dist-info", ".libs"))}

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] not in self.names:
            return None
        return self.find(name, path if "." in name else [self.site], target)

    def invalidate_caches(self):
        pass


def status():
    values = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                values[key] = int(rest.split()[0])  # kB
    return values


def main():
    statements = sys.argv[1:]
    if statements[:1] == ["--disk"]:
        sys.meta_path.insert(0, DiskFirst(statements[1]))
        statements = statements[2:]
    imports = {}
    for statement in statements:
        start = time.perf_counter_ns()
        exec(statement, {})
        imports[statement] = time.perf_counter_ns() - start
    modules = sys.modules.values()
    shared = sorted({m.__file__ for m in modules if getattr(m, "__file__", None) and m.__file__.endswith(".so")})
    print(json.dumps({"imports": imports, "status": status(), "extension_modules": shared}))


if __name__ == "__main__":
    main()
