"""tests/integration/test_start_up_runtime.py: the file view's stat and listdir served in C
(runtime/tree_stat.c) answer exactly as its Python handlers (runtime/_pystatic_files.py) do, for
every entry of the tree, and without running a Python handler."""

import json
import os
import sys

import _pystatic_files as handlers
import treepkg.mod  # noqa: F401
import treepkg.nsdir.inner  # noqa: F401
import treepkg.sub.leaf  # noqa: F401

root = sys.executable


def outcome(function, path):
    try:
        result = function(path)
    except OSError as error:
        return [type(error).__name__, error.errno, error.filename]
    return result.__reduce__() if isinstance(result, os.stat_result) else result


def handlers_ran(function, path):
    """Whether a Python function of _pystatic_files ran during function(path)."""
    ran = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.endswith("_pystatic_files.py"):
            ran.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        outcome(function, path)
    finally:
        sys.setprofile(None)
    return ran


os.stat(root + "/treepkg")  # the first use imports the handlers
mismatches, stats, listings, python_handlers = [], 0, 0, set()
pending = [root + "/treepkg", root + "/encodings"]
while pending:
    directory = pending.pop()
    names = os.listdir(directory)
    listings += 1
    if names != handlers.listdir(directory):
        mismatches.append(["listdir", directory])
    python_handlers.update(handlers_ran(os.listdir, directory))
    for name in names:
        path = directory + "/" + name
        for function, handler in ((os.stat, handlers.stat), (os.lstat, handlers.lstat)):
            if outcome(function, path) != outcome(handler, path):
                mismatches.append([function.__name__, path])
            python_handlers.update(handlers_ran(function, path))
        stats += 1
        if os.path.isdir(path):
            pending.append(path)

# What the C path leaves to the handlers: missing entries, a file listed, paths to normalise, bytes.
other = {}
for path in ["/treepkg/missing", "/treepkg/mod.py/x", "/treepkg//mod.py", "/treepkg/./mod.py", "/treepkg/sub/../mod.py",
             "/treepkg/", "/", "/treepkg/mod.pyc", "/treepkg/nsdir/__init__.py", "/treepkg/data/deeper/b.bin"]:
    other[path] = [outcome(os.stat, root + path) == outcome(handlers.stat, root + path),
                   outcome(os.listdir, root + path) == outcome(handlers.listdir, root + path),
                   outcome(os.stat, os.fsencode(root + path)) == outcome(handlers.stat, os.fsencode(root + path))]
print(json.dumps({
    "mismatches": mismatches, "stats": stats, "listings": listings, "python_handlers": sorted(python_handlers),
    "treepkg": os.listdir(root + "/treepkg"), "sizes": [os.stat(root + "/treepkg/data/deeper/b.bin").st_size,
                                                        os.stat(root + "/treepkg/data/deeper/b.bin").st_blocks],
    "other": other,
}, sort_keys=True))
