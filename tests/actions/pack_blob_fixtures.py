"""What the pack_blob tests share: a small fake stdlib pack, an app pack, and pack_blob.main with a
settings file (tests/actions/test_pack_blob.py, test_pack_blob_stdlib.py)."""

import json

from pystatic.binary import pack_blob
from pystatic.format.blob import DATA, MODULE, Entry, read_blob, write_blob

MAGIC = b"\xf3\r\r\n"

# A small "stdlib": json imports json.decoder; encodings is always shipped.
STDLIB = {
    "_pystatic_bootstrap": [],
    "_pystatic_resources": [],
    "encodings": ["codecs"],
    "encodings.utf_8": [],
    "codecs": [],
    "traceback": ["linecache"],
    "linecache": [],
    "json": ["json.decoder"],
    "json.decoder": ["re"],
    "re": [],
    "email": [],
    "email.message": ["email"],
    "sqlite3": [],
}
PACKAGES = {"json", "email", "encodings"}


def make_packs(tmp_path):
    """The fake stdlib pack (STDLIB) in tmp_path, which it returns."""
    stdlib = [
        Entry(MODULE, name, primary=b"c:" + name.encode(), source=b"s", is_package=name in PACKAGES) for name in STDLIB
    ] + [Entry(DATA, "email/architecture.rst", primary=b"doc")]
    (tmp_path / "stdlib.blob").write_bytes(write_blob(stdlib, MAGIC))
    (tmp_path / "stdlib.json").write_text(json.dumps({"modules": {n: {"imports": i, "defines": [], "path": f"lib/{n}.py"} for n, i in STDLIB.items()}}))
    return tmp_path


def write_app(tmp, modules, magic=MAGIC):
    """modules: {name: (imports, defines)}"""
    (tmp / "app.blob").write_bytes(write_blob([Entry(MODULE, n, primary=b"a", source=b"src") for n in modules], magic))
    (tmp / "app.json").write_text(
        json.dumps({"modules": {n: {"imports": i, "defines": d, "path": f"app/{n}.py"} for n, (i, d) in modules.items()}})
    )


# pack_blob's settings in these tests unless one says: the whole stdlib, no sources (BinarySettings'
# own defaults are the rule's).
TEST_SETTINGS = {"target": "//app:bin", "stdlib_mode": "all", "include_sources": False, "stdlib_sources": False}


def run(tmp, entry=None, main=None, console_script=None, descriptor=None, extra=(), **settings):
    """pack_blob.main with a settings file; entry: "module" or "module:function"."""
    module, _, function = (entry or "").partition(":")
    entry_point = {"module": module, "function": function, "main": main or "", "console_script": console_script or ""}
    (tmp / "settings.json").write_text(json.dumps(TEST_SETTINGS | {"entry_point": entry_point} | settings))
    args = ["--settings", str(tmp / "settings.json"), "--stdlib", str(tmp / "stdlib.blob"), "--stdlib_imports", str(tmp / "stdlib.json"),
            "--app", str(tmp / "app.blob"), "--app_imports", str(tmp / "app.json"), "--output", str(tmp / "out.blob"),
            "--report", str(tmp / "report.json")]
    if descriptor:
        args += ["--descriptor", str(descriptor)]
    return pack_blob.main(args + list(extra))


def modules_in(tmp):
    return sorted(read_blob(tmp / "out.blob").names(MODULE))
