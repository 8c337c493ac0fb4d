"""The shared objects a binary embeds: those its wheel checks (PyStaticWheel) load from memory.

A check's JSON names, in `loaded`, the paths (below the wheel's import root) of the shared objects
the package cannot do without; the files come from the wheels' `natives` (binary.bzl passes each
as `--native PATH=FILE`). They become blob data entries flagged as shared objects (stored
uncompressed, 64 KiB-aligned: docs/resource-blob.md, without their DWARF debug sections unless the
binary keeps them: elf_debug_sections.py), which the runtime's loader maps (docs/native-wheels.md).
"""

import json
from dataclasses import dataclass

from pystatic.binary.elf_debug_sections import without_debug_sections
from pystatic.format.blob import DATA, Entry


class SharedObjectError(Exception):
    """A check loads a file that no wheel of the binary provides."""


@dataclass(frozen=True)
class SharedObject:
    package: str  # "name@version", as the native gate (native_objects.problems.EmbeddedObject) names it
    path: str  # below the import root: the name in the embedded tree
    file: str  # the file to embed


def parse_native(value):
    """`PATH=FILE` of a --native argument."""
    path, sep, file = value.partition("=")
    if not sep or not path or not file:
        raise SharedObjectError(f"--native wants PATH=FILE, got {value!r}")
    return path, file


def loaded_shared_objects(wheel_checks, natives):
    """[SharedObject] the checks (their JSON files) load, sorted by path; `natives`: [(path, file)]."""
    files = dict(natives)
    chosen = {}
    for check in wheel_checks:
        with open(check, encoding="utf-8") as f:
            record = json.load(f)
        for path in record.get("loaded", []):
            if path not in files:
                raise SharedObjectError(
                    f"{record['target']}: {record['package']} loads {path}, which is not among the wheels' files "
                    "(a stale repository?). Fix: fetch the repository again (bazel sync or bazel clean --expunge)"
                )
            # The check's "name version (wheel file)" as the gate's "name@version".
            name, version = (record["package"].split(" ") + [""])[:2]
            chosen[path] = SharedObject(f"{name}@{version}", path, files[path])
    return [chosen[path] for path in sorted(chosen)]


def entries_of(shared_objects, debug_info=False):
    """Blob entries of the shared objects; without their DWARF debug sections unless `debug_info`."""
    entries = []
    for shared in shared_objects:
        with open(shared.file, "rb") as f:
            contents = f.read()
        entries.append(Entry(DATA, shared.path, primary=contents if debug_info else without_debug_sections(contents),
                             shared_object=True))
    return entries


def report_of(shared_objects):
    """The pack report's `shared_objects`: what the native gate (native_exports.py) checks."""
    return [{"package": s.package, "path": s.path, "file": s.file} for s in shared_objects]
