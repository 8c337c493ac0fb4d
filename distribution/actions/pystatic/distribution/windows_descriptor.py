"""The descriptor of a Windows distribution (build_cpython_windows.py): what py_static_binary reads.

The same format as the Linux distributions' (pystatic.common.descriptor), with the Windows layout:
the standard library is `Lib/` (getpath's landmark `Lib/os.py` beside `python.exe`), the archives
are in `libs/`, the inittab is PC/config.c's, and the system libraries are Windows' import libraries
(`-l` names a binary's link adds: the runtime toolchain's response file). Its own module, so the
Linux distributions' build script and its action keys stay as they are.
"""

import json
import pathlib
import re

from pystatic.common import descriptor

# The layout keys of a Windows distribution (pystatic.common.descriptor.layout is Linux's; the
# runtime toolchain's Starlark knows the same paths: stdlib_dir in providers.bzl).
WINDOWS_LAYOUT = {"interpreter": "python.exe", "stdlib": "Lib", "inittab": "config.c"}

# Libraries CPython bundles, the built-in module that compiles each, its licence and where its
# text is in the source (as the Linux build names them: licences.py and the SBOM match by component).
BUNDLED = [
    ("expat", "pyexpat", "MIT", "Modules/expat/COPYING"),
    ("libmpdec", "_decimal", "BSD-2-Clause", "Doc/license.rst"),
    ("HACL*", "_sha2", "MIT", "Doc/license.rst"),
]

# Built-in modules of the Linux distributions that the Windows build has not, and why (the pack
# step names the reason when an app imports one).
LEFT_OUT = {
    "_tkinter": "left out: Tcl/Tk GUI, not built for static binaries (tkinter is not shipped either)",
    "_wmi": "left out: C++ and COM (PCbuild/_wmi.vcxproj), not built with zig's C compiler",
    "_curses": "not on Windows (CPython has no Windows build of it)",
    "_curses_panel": "not on Windows (CPython has no Windows build of it)",
    "readline": "not on Windows (CPython has no Windows build of it)",
    "_dbm": "not on Windows; dbm.sqlite3 and dbm.dumb work without it",
    "_gdbm": "not on Windows; dbm.sqlite3 and dbm.dumb work without it",
    "_zstd": "not in CPython 3.13",
}

# Parts of Lib/ not copied (build_cpython_windows.STDLIB_LEFT_OUT), and why.
STDLIB_EXCLUDED = {
    "test": "CPython's own test suite",
    "idlelib": "needs Tk",
    "tkinter": "needs Tk (no _tkinter in the static build)",
    "turtledemo": "needs Tk",
    "turtle.py": "needs Tk",
    "ensurepip": "installs pip into an interpreter: py_static_interpreter embeds it from the source archive",
}


_ENTRY = re.compile(r'^\s*\{"([\w.]+)", (\w+)\},')
_DECLARATION = re.compile(r"^extern PyObject\* (\w+)\(void\);")
_CONDITIONAL = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b")


def inittab(config_c_text):
    """[(module, init function)] of a config.c's `_PyImport_Inittab`, the PyInit_ entries."""
    entries = re.findall(r'^\s*\{"([\w.]+)", (PyInit_\w+)\},', config_c_text, re.M)
    if not entries:
        raise ValueError("PC/config.c has no inittab entries of the form {\"name\", PyInit_name}: its format changed")
    return entries


def compiled_entries(preprocessed):
    """{module: init function} of the inittab in config.c's preprocessor output (`cc -E`): what libpython holds."""
    return dict(re.findall(r'\{\s*"([\w.]+)"\s*,\s*([^{}]+?)\s*\}', preprocessed))


def resolved_config_c(config_c_text, compiled):
    """PC/config.c without its conditions, as this build compiled it.

    Its entries sit under `#ifdef WIN32`, `#if defined(MS_WINDOWS_DESKTOP) ...`, `#ifdef _Py_HAVE_ZLIB`:
    macros of pyconfig.h's core part and of PCbuild's defines, which a binary's glue (the pruned
    inittab of gen_glue.py) does not see. The distribution's config.c keeps exactly the entries and
    declarations the preprocessor kept (`compiled`: compiled_entries), unconditionally."""
    lines = []
    for line in config_c_text.splitlines():
        if _CONDITIONAL.match(line):
            continue
        entry, declared = _ENTRY.match(line), _DECLARATION.match(line)
        if entry and entry.group(1) not in compiled:
            continue
        if declared and declared.group(1) not in compiled.values():
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


def licenses(version, root, out, deps, builtins):
    """The licence entries, each text copied into `out` (the distribution directory).

    deps: [(name, prefix, origin JSON path)] of the C libraries linked."""
    root, out = pathlib.Path(root), pathlib.Path(out)
    (out / "LICENSE.cpython").write_bytes((root / "LICENSE").read_bytes())
    entries = [{"component": "cpython", "version": version, "license": "PSF-2.0", "file": "LICENSE.cpython"}]
    for component, module, license_name, text in BUNDLED:
        if module in builtins:
            dest = f"LICENSE.cpython-{pathlib.Path(text).name}" if text.startswith("Doc/") else f"LICENSE.{component}"
            (out / dest).write_bytes((root / text).read_bytes())
            entries.append({"component": component, "version": f"bundled with CPython {version}", "license": license_name,
                            "file": dest})
    for name, prefix, origin_path in deps:
        origin = json.loads(pathlib.Path(origin_path).read_text(encoding="utf-8"))
        text = pathlib.Path(prefix) / f"LICENSE.{name}"
        if not text.is_file():
            raise ValueError(f"the C library {name} has no LICENSE.{name} in its prefix {prefix}")
        (out / f"LICENSE.{name}").write_bytes(text.read_bytes())
        entries.append({"component": name, "version": origin["version"], "license": origin["license"],
                        "file": f"LICENSE.{name}", "source_sha256": origin["sha256"], "source_origin": origin["origin"]})
    return entries


def write(path, *, version, target_triple, archives, system_libraries, config_c_text, license_entries):
    """Writes the descriptor (archives relative to the distribution, in link order)."""
    data = descriptor.new(
        python_version=version,
        target_triple=target_triple,
        archives=archives,
        system_libraries=system_libraries,
        builtins=dict(inittab(config_c_text)),
        extensions_left_out={name: {"state": "n/a", "reason": why} for name, why in LEFT_OUT.items()},
        stdlib_excluded=STDLIB_EXCLUDED,
        licenses=license_entries,
    )
    data.update(WINDOWS_LAYOUT)
    descriptor.dump(data, path)
