"""Checks, after the link, that the executable defines every name its wheels' shared objects need
strongly from it (native_exports.py's report): the export table's address of each is not 0.

The linked executable's `pystatic_exports` table (section .pystatic_exports) is read back as the
loader will see it; a position-independent executable (whose addresses are relocated at run time)
is read through its `.symtab` instead. A weak need that is missing is fine (the object marked it
optional). Exits 1 naming the package, the file, the symbol and the fix.

    check_native_exports.py @params, the params one argument a line:
      --executable <linked executable> --report <native_exports.py's report.json> [--stamp <file>]
"""

import argparse
import json
import sys

from pystatic.binary.native_objects import exports_table
from pystatic.binary.native_objects.problems import EmbeddedObject, Problem
from pystatic.common.action_args import expand_param_files


def defined_names(executable):
    """Names the executable serves, or raises ValueError when it has neither table nor .symtab."""
    table = exports_table.read_exports(executable)
    if table is not None:
        return {name for name, address in table.items() if address}
    symbols = exports_table.defined_symbols(executable)
    if symbols is None:
        raise ValueError(f"{executable} has neither a {exports_table.EXPORTS_SECTION} table in a non-PIE link nor a .symtab")
    return symbols


def missing(report, defined):
    """[Problem] of each strong need of the report's objects that `defined` lacks."""
    problems = []
    for entry in report["objects"]:
        obj = EmbeddedObject(entry["package"], entry["path"], "")
        for name in entry["strong"]:
            if name not in defined:
                problems.append(Problem(obj, f"needs the symbol {name} from the executable, which does not define it (not in "
                                             f"its Python, C library or provided libraries: "
                                             f"{', '.join(report['provided_libraries']) or 'none'})"))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--executable", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--stamp", help="file to write on success (for a Bazel validation action)")
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))
    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    try:
        defined = defined_names(args.executable)
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    problems = missing(report, defined)
    for problem in problems:
        print(problem.message(), file=sys.stderr)
    if problems:
        return 1
    if args.stamp:
        with open(args.stamp, "w", encoding="utf-8") as stamp:
            stamp.write("exports\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
