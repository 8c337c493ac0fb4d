"""Decides what a wheel's C extensions mean for a static binary (validation action PyStaticWheel).

Each native module of a wheel is
  - a built-in module of the distribution (same name): the built-in is used;
  - shadowed by a Python module of the same name beside it (mypyc-style wheels): that is used;
  - with `--loader` (the target's runtime loads musllinux shared objects from memory,
    docs/native-wheels.md): embedded as it is (`loaded`), with the wheel's bundled libraries, and
    imported before a Python module of the same name (as CPython's FileFinder does);
  - without it, optional: every import of it, or of a module that imports it unguarded, sits
    inside `try: ... except ImportError`, so no public top-level module fails to import
    (markupsafe's speedups, PyYAML's libyaml binding): left out, the package's fallback runs;
    else the build fails naming the package, the .so files and the options.
What was left out is said in the build log and written to --left_out (JSON, with `loaded`), which
the pack step (binary/pack_blob.py) reads: a binary whose own code, or another package's, imports a
left-out module fails there; the `loaded` files are embedded as shared objects.

Run by the distribution's own interpreter (the build-machine CPython of the target's version), so
the package's sources are parsed by the parser of the Python they are written for.
"""

import argparse
import json
import pathlib
import sys

from pystatic.common import extra_builtins
from pystatic.common.action_args import expand_param_files
from pystatic.modules.fallbacks import analysis
from pystatic.modules.names import module_of


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True)
    parser.add_argument("--package", required=True, help="name and version, for messages")
    parser.add_argument("--root", required=True, help="exec path of the wheel's import root")
    parser.add_argument("--src", action="append", default=[])
    parser.add_argument("--native", action="append", default=[])
    parser.add_argument("--descriptor", help="the distribution's descriptor JSON (built-in modules)")
    parser.add_argument("--extra_builtins", help="the distribution's extra built-ins (JSON): built-in modules too")
    parser.add_argument("--built_in", action="append", default=[], help="module linked in with py_static_extension")
    parser.add_argument("--loader", action="store_true",
                        help="the target's runtime loads the wheel's shared objects: needed ones are embedded")
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--left_out", help="output JSON: the modules left out, for the pack step")
    return parser.parse_args(expand_param_files(argv))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # The union: the distribution's built-ins and the modules the user links in (built_in = [...]).
    builtins = set(args.built_in)
    if args.descriptor:
        builtins |= extra_builtins.combined(args.descriptor, args.extra_builtins).builtin_modules
    sources = {}
    for path in args.src:
        rel = pathlib.PurePosixPath(path).relative_to(args.root).as_posix()
        sources[module_of(rel)] = (pathlib.Path(path).read_text(encoding="utf-8", errors="replace"), rel.endswith("/__init__.py"))
    result = analysis(sources, args.native, builtins)
    notes, natives, broken = result.notes, result.unusable, result.broken
    loaded = []
    if args.loader:
        # As pip installs it: every shared object no built-in replaces, the bundled `<pkg>.libs/`
        # included, goes in as it is (optional speedups, and compiled modules whose .py twin is
        # their source, not a fallback: pyzmq's Cython pure-Python mode, mypyc), and is imported
        # before a .py of the same name, as CPython's FileFinder does; the native gate
        # (binary/native_exports.py) checks each one.
        loaded, broken = sorted(n for n in args.native if module_of(n) not in builtins), []
        if loaded:
            # The analysis' notes about what it would leave out or replace no longer hold.
            notes = [n for n in notes if not n.startswith("left out ") and not any(n.startswith(f"{p}: ") for p in loaded)]
            notes.append(f"loads {len(loaded)} shared object(s) from memory: {', '.join(loaded)}")
    if broken:
        print(
            f"error: {args.target}: {args.package} needs C extensions a static binary cannot load: {', '.join(natives)}\n"
            f"  ({', '.join(broken)} cannot be imported without them, and no pure-Python fallback is guarded by "
            "try/except ImportError).\n"
            "  Fix: leave the package out (pystatic.wheels(exclude = [...]) and drop the dependency), use a pure-Python\n"
            "  alternative, or build the extension from its sdist as a built-in: pystatic.wheels(sdists = [...],\n"
            f"  built_in = [{', '.join(repr(module_of(n)) for n in natives)}]) and a py_static_extension in the binary's deps (docs/wheels.md).",
            file=sys.stderr,
        )
        return 1
    for note in notes:
        print(f"note: {args.target}: {args.package}: {note}", file=sys.stderr)
    pathlib.Path(args.stamp).write_text("".join(n + "\n" for n in notes))
    if args.left_out:
        record = {"target": args.target, "package": args.package, "left_out": {} if loaded else result.left_out,
                  "loaded": loaded}
        pathlib.Path(args.left_out).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
