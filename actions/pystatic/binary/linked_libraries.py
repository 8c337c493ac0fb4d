"""Which C libraries of the distribution a binary links: those a built-in module of its (pruned)
inittab uses, or its runtime. The licence report (licenses.py) and the SBOM (sbom.py) apply the same rule.
"""

import json
import pathlib


# What pulls each C library of the distribution into a binary: built-in modules that use it, or
# the runtime itself ("runtime": the binary's resources are zstd-compressed, compress = True). The
# linker takes an archive's objects only when something references them; libraries not named here
# are listed whenever the distribution has them.
DEP_USERS = {
    "zlib": ["zlib", "binascii"],
    "bzip2": ["_bz2"],
    "xz": ["_lzma"],
    "openssl": ["_ssl", "_hashlib"],
    "libffi": ["_ctypes"],
    "sqlite3": ["_sqlite3"],
    "libuuid": ["_uuid"],
    "zstd": ["_zstd", "runtime"],
    # The extra built-ins' libraries (pystatic.common.extra_builtins): readline's libedit calls ncurses' termcap.
    "ncurses": ["_curses", "_curses_panel", "readline"],
    "libedit": ["readline"],
}
# Code bundled with CPython, as the descriptor's licence list names it: the built-ins compiling it.
BUNDLED_USERS = {
    "expat": ["pyexpat"],
    "libmpdec": ["_decimal"],
    "HACL*": ["_md5", "_sha1", "_sha2", "_sha3"],
}
# Why the runtime links a library whatever the binary imports (--runtime_lib adds the optional ones).
RUNTIME_USES = {
    "zlib": "the blob's checksums (runtime/blob.c calls zlib's crc32)",
    "zstd": "compressed resources",
}
RUNTIME_ALWAYS = ("zlib",)


def linked_builtins(descriptor, report_path=None):
    """The built-in modules in the binary's inittab: the distribution's, without those the pack
    step's report (`<name>.blob.json`, stdlib = "imported") leaves out; the linker drops the rest."""
    builtins = set(descriptor.builtin_modules)
    if report_path:
        report = json.loads(pathlib.Path(report_path).read_text(encoding="utf-8"))
        builtins -= set(report.get("builtins_left_out", []))
    return builtins


def is_linked(component, builtins, runtime_libs=()):
    """Whether a licence entry of the descriptor (its component name) is linked into a binary whose
    inittab holds `builtins` and whose runtime links `runtime_libs` (plus RUNTIME_ALWAYS)."""
    if component in RUNTIME_ALWAYS or component in runtime_libs:
        return True
    users = DEP_USERS.get(component, BUNDLED_USERS.get(component))
    return users is None or bool(set(users) & set(builtins))
