"""Writes the module-definition (.def) file that exports CPython's C API from a Windows executable
(action PyStaticPythonApiExports, once per runtime toolchain).

On Windows `ctypes.pythonapi` is the Python DLL's handle (`sys.dllhandle`: the executable's own
in a static build), and a function is found with GetProcAddress, which reads the export table. A
static executable exports nothing by default, so `pythonapi.PyObject_GetBuffer` (click's console
streams, on every import of click) fails. On Linux the same lookup is dlsym's, answered by the
export table native_exports.py writes. Exported: every external symbol whose name starts with Py or
_Py (functions as they are, data marked DATA) of libpython's core objects, sorted: the file is
reproducible. Only the core's (CORE_MEMBERS): an exported symbol links its object, and the
modules' objects are the pruned inittab's to choose (a binary links only the built-ins it
imports), frozen.o's and config.o's tables the glue's to define.
"""

import argparse
import re
import sys

from pystatic.common.action_args import expand_param_files
from pystatic.format.ar import archive_members
from pystatic.format.coff import external_symbols

PYTHON_API = re.compile(r"_?Py[A-Za-z0-9_]+$")
# build_cpython_windows.py names each object after its source's path: Objects/abstract.c is
# Objects_abstract.o. Py_Main and Py_RunMain are Modules/main.c's.
CORE_MEMBERS = re.compile(r"(Objects|Parser|Python)_.*\.o$|Modules_main\.o$")
NOT_CORE = ("Python_frozen.o",)


def api_symbols(archive):
    """{name: is_function} of the C API the archive's objects define."""
    symbols = {}
    for member, data in archive_members(archive, wanted=lambda name: CORE_MEMBERS.match(name) and name not in NOT_CORE):
        for name, is_function in external_symbols(data, f"{archive}({member})"):
            if PYTHON_API.match(name):
                symbols[name] = is_function
    return symbols


def def_file(symbols):
    lines = ["; CPython's C API, exported for ctypes.pythonapi (python_api_exports.py)", "EXPORTS"]
    lines += [f"    {name}" + ("" if is_function else " DATA") for name, is_function in sorted(symbols.items())]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", required=True, help="the distribution's libpython<ver>.a (COFF objects)")
    parser.add_argument("--output", required=True, help="the .def file")
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))
    symbols = api_symbols(args.archive)
    if "PyObject_GetBuffer" not in symbols or "Py_Initialize" not in symbols:
        print(f"error: {args.archive}: no CPython C API found (not libpython's COFF archive?)", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as out:
        out.write(def_file(symbols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
