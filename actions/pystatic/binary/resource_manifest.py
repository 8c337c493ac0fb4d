"""Maps a target's Python sources and data files to import names, as a sorted JSON manifest.

Every later step (bytecode, blob packing) reads this manifest, so the naming rules and the
bad-input checks live in one place: a file outside every import root, a path that is not
importable, and two files that claim the same resource name all fail here, at build time.
"""

import argparse
import json
import posixpath
import sys

from pystatic.common.action_args import expand_param_files

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


def classify(rel_path):
    """(kind, name) for a path relative to its import root.

    `pkg/__init__.py` -> ("package", "pkg"); `pkg/mod.py` -> ("module", "pkg.mod");
    anything else -> ("data", "pkg/file.txt"), the name importlib.resources uses.
    Directories must be identifiers; a file's stem need only lack dots: importlib.import_module
    loads `pkg.unicode10-0-0` (rich ships such tables).
    """
    parts = rel_path.split("/")
    if rel_path.endswith(".py"):
        stem = parts[-1][: -len(".py")]
        dotted = parts[:-1] if stem == "__init__" else parts[:-1] + [stem]
        kind = "package" if stem == "__init__" else "module"
        stem_ok = stem == "__init__" or (stem and "." not in stem and " " not in stem)
        if not dotted or not stem_ok or not all(p.isidentifier() for p in parts[:-1]):
            return "invalid", rel_path
        return kind, ".".join(dotted)
    return "data", rel_path


def build_manifest(target, import_roots, sources):
    """sources: iterable of (repo_relative_path, exec_path). Returns the manifest dict."""
    roots = sorted({posixpath.normpath(r) if r else "" for r in import_roots})
    roots = ["" if r == "." else r for r in roots]
    by_name = {}
    for rel, exec_path in sources:
        root = _import_root_of(rel, roots)
        if root is None:
            raise ManifestError(
                f"{target}: {rel} is outside every import root ({', '.join(repr(r) for r in roots)}).\n"
                f"  Fix: add its directory (relative to the target's package) to `imports`, or move the file."
            )
        in_root = rel[len(root) + 1 :] if root else rel
        kind, name = classify(in_root)
        if kind == "invalid":
            raise ManifestError(
                f"{target}: {rel} cannot be imported: '{in_root}' is not a dotted path of identifiers.\n"
                f"  Fix: rename the directories/file, or add an `imports` root below the offending part."
            )
        key = ("data" if kind == "data" else "code", name)
        if key in by_name:
            other = by_name[key]["path"]
            raise ManifestError(
                f"{target}: {exec_path} and {other} both map to the {kind} name '{name}'.\n"
                f"  Fix: remove one of them from srcs/deps, or change `imports` so they differ."
            )
        by_name[key] = {"name": name, "kind": kind, "path": exec_path}
    resources = [by_name[k] for k in sorted(by_name)]
    return {"version": MANIFEST_VERSION, "target": target, "resources": resources}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", required=True, help="label of the rule, for messages")
    parser.add_argument("--output", required=True)
    parser.add_argument("--import_root", action="append", default=[])
    parser.add_argument(
        "--src", action="append", default=[], nargs=2, metavar=("REPO_RELATIVE_PATH", "EXEC_PATH")
    )
    return parser.parse_args(expand_param_files(argv))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        manifest = build_manifest(args.target, args.import_root, args.src)
    except ManifestError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=1, sort_keys=True)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
