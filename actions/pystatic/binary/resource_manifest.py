"""Maps a target's Python sources and data files to import names, as a sorted JSON manifest.

Every later step (bytecode, blob packing) reads this manifest, so the naming rules and the
bad-input checks live in one place: a file outside every import root, a path that is not
importable, and two different files that claim the same resource name all fail here, at build
time. A package shadows a module of its name in its directory (importlib finds it first), and two
byte-identical files under one name are one resource: wheels of a pkgutil-style namespace
package each ship the same `__init__.py` (dbt-core and dbt-adapters: `dbt/include/__init__.py`),
which pip installs over one another.
"""

import argparse
import filecmp
import json
import posixpath
import sys

from pystatic.common.action_args import expand_param_files
from pystatic.modules.names import python_source_name

MANIFEST_VERSION = 1


class ManifestError(Exception):
    """Bad input; the message names the target, the file and the fix."""


def _import_root_of(path, import_roots):
    """Longest import root that contains `path`, or None."""
    best = None
    for root in import_roots:
        prefix = root + "/" if root else ""
        if path.startswith(prefix) and (best is None or len(root) > len(best)):
            best = root
    return best


def classify(rel_path, is_data=False):
    """(kind, name) for a path relative to its import root.

    `pkg/__init__.py` -> ("package", "pkg"); `pkg/mod.py` -> ("module", "pkg.mod");
    anything else -> ("data", "pkg/file.txt"), the name importlib.resources uses. A `.py` path
    that no import can name is ("invalid", path) among sources and ("data", path) among data files
    (a wheel's `mypyc/lib-rt/build_setup.py`: installed, it is only a file).
    """
    if not rel_path.endswith(".py"):
        return "data", rel_path
    named = python_source_name(rel_path)
    if named is None:
        return ("data" if is_data else "invalid"), rel_path
    return named


def build_manifest(target, import_roots, sources, data=()):
    """sources, data: iterables of (repo_relative_path, exec_path). Returns the manifest dict.

    A data file is named like a source when it is a `.py` file an import can name (as in a
    runfiles tree); one no import can name stays a data file instead of failing the build."""
    roots = sorted({posixpath.normpath(r) if r else "" for r in import_roots})
    roots = ["" if r == "." else r for r in roots]
    named = []
    entries = [(rel, exec_path, False) for rel, exec_path in sources] + [(rel, exec_path, True) for rel, exec_path in data]
    for rel, exec_path, is_data in entries:
        root = _import_root_of(rel, roots)
        if root is None:
            raise ManifestError(
                f"{target}: {rel} is outside every import root ({', '.join(repr(r) for r in roots)}).\n"
                f"  Fix: add its directory (relative to the target's package) to `imports`, or move the file."
            )
        in_root = rel[len(root) + 1 :] if root else rel
        kind, name = classify(in_root, is_data)
        if kind == "invalid":
            raise ManifestError(
                f"{target}: {rel} cannot be imported: '{in_root}' is not a dotted path of identifiers.\n"
                f"  Fix: rename the directories/file, or add an `imports` root below the offending part."
            )
        named.append((kind, name, root, in_root, exec_path))
    # A package shadows a module of its name in the same directory, as importlib's FileFinder finds
    # `pkg/__init__.py` before `pkg.py` (click-plugins 1.1.1.2 ships both): the module is only a
    # file then. Under two import roots which one wins would depend on sys.path: that stays an error.
    packages = {(root, name) for kind, name, root, _, _ in named if kind == "package"}
    by_name = {}
    for kind, name, root, in_root, exec_path in named:
        if kind == "module" and (root, name) in packages:
            kind, name = "data", in_root
        key = ("data" if kind == "data" else "code", name)
        if key in by_name:
            other = by_name[key]["path"]
            if by_name[key]["kind"] == kind and _same_bytes(exec_path, other):
                continue  # the same file twice: pip installs one over the other
            raise ManifestError(
                f"{target}: {exec_path} and {other} both map to the {kind} name '{name}' and differ.\n"
                f"  Fix: remove one of them from srcs/deps, or change `imports` so they differ."
            )
        by_name[key] = {"name": name, "kind": kind, "path": exec_path}
    resources = [by_name[k] for k in sorted(by_name)]
    return {"version": MANIFEST_VERSION, "target": target, "resources": resources}


def _same_bytes(path, other):
    try:
        return filecmp.cmp(path, other, shallow=False)
    except OSError:
        return False


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", required=True, help="label of the rule, for messages")
    parser.add_argument("--output", required=True)
    parser.add_argument("--import_root", action="append", default=[])
    parser.add_argument(
        "--src", action="append", default=[], nargs=2, metavar=("REPO_RELATIVE_PATH", "EXEC_PATH")
    )
    parser.add_argument(
        "--data", action="append", default=[], nargs=2, metavar=("REPO_RELATIVE_PATH", "EXEC_PATH"),
        help="a data file (a .py file among them that no import can name stays data)",
    )
    return parser.parse_args(expand_param_files(argv))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        manifest = build_manifest(args.target, args.import_root, args.src, args.data)
    except ManifestError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=1, sort_keys=True)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
