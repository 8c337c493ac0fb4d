"""Packages whose C extensions were built from their sdists by their own PEP 517 backend (docs/extensions.md).

Prints one JSON object: what psutil, msgpack, markupsafe, regex, PyYAML, frozenlist, cffi, lz4 and ujson see, and where
their compiled code lives. cffi's _cffi_backend is built against the distribution's libffi (the copy CPython's _ctypes links).
"""

import json
import os
import platform
import sys

import lz4.frame
import markupsafe
import msgpack
import psutil
import regex
import ujson
from sdist_reports import cffi_report, frozenlist_report, yaml_report


def main():
    me = psutil.Process(os.getpid())
    packed = msgpack.packb({"static": True, "n": [1, 2, 3]})
    report = {
        "machine": platform.machine(),
        "builtins": sorted(m for m in sys.builtin_module_names
                           if m.split(".")[0] in ("psutil", "msgpack", "markupsafe", "regex", "yaml", "frozenlist",
                                                  "_cffi_backend", "lz4", "ujson")),
        "psutil": {
            "cpu_count": psutil.cpu_count(),
            "pids": len(psutil.pids()),
            "me": me.pid == os.getpid() and me.status(),
            "memory": psutil.virtual_memory().total > 0,
            "extension": psutil._psutil_linux.__name__,
        },
        "msgpack": {
            "packer": msgpack.Packer.__module__,
            "roundtrip": msgpack.unpackb(packed) == {"static": True, "n": [1, 2, 3]},
        },
        "markupsafe": {
            "escape": str(markupsafe.escape("<b>&</b>")),
            "inner": markupsafe._escape_inner.__module__,
        },
        "regex": {
            "match": regex.match(r"(?<word>\p{L}+) (?&word)", "static Python").group("word"),
            "extension": regex._regex.__name__,
        },
        "yaml": yaml_report(),
        "frozenlist": frozenlist_report(),
        "cffi": cffi_report(),
        "lz4": {
            "roundtrip": lz4.frame.decompress(lz4.frame.compress(b"static " * 1000)) == b"static " * 1000,
            "library": lz4.library_version_string(),
            "extension": sys.modules["lz4.frame._frame"].__spec__.origin,
        },
        "ujson": {
            "dumps": ujson.dumps({"a": [1, 2.5, None]}, sort_keys=True),
            "loads": ujson.loads('{"b": [true, "x"]}'),
            "origin": ujson.__spec__.origin,
        },
        "version": {"psutil": psutil.__version__, "msgpack": ".".join(map(str, msgpack.version)),
                    "lz4": lz4.__version__, "ujson": ujson.__version__},
    }
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
