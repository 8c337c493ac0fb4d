"""Writes a binary's licence bill of materials, `<name>.licenses.json`.

Every component linked or embedded: CPython and the libraries it bundles, each C dependency of the
distribution (from its descriptor: licence name, version, source sha256 and origin, licence text)
that the binary links (the same rule as its SBOM: a built-in module of its pruned inittab or the
runtime uses it, linked_libraries.is_linked),
and every Python distribution whose `.dist-info` is in the resource blob (name, version, licence
from METADATA, licence files from the dist-info), and the wheels an interpreter's ensurepip bundles
(pip: what `python -m venv` installs), from their own `.dist-info`.
"""

import argparse
import io
import json
import pathlib
import sys
import zipfile
from email.parser import HeaderParser

from pystatic.binary.linked_libraries import is_linked, linked_builtins
from pystatic.common import descriptor as distribution_descriptor
from pystatic.common import extra_builtins
from pystatic.format.blob import DATA, METADATA, BlobError, read_blob

LICENSE_FILE_PREFIXES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "licenses/")


def distribution_components(descriptor, distribution_dir, builtins=None, runtime_libs=()):
    """The descriptor's licence entries linked into a binary with the inittab `builtins` (None: all)."""
    components = []
    for entry in descriptor.licenses:
        if builtins is not None and not is_linked(entry["component"], builtins, runtime_libs):
            continue
        files = entry.get("files") or [entry["file"]]
        component = {k: v for k, v in entry.items() if k not in ("file", "files")}
        component["origin"] = "distribution"
        # An extra built-in's licence is kept beside it (an absolute path): named by its file name,
        # so the report does not name the sandbox.
        component["texts"] = {pathlib.Path(name).name if pathlib.Path(name).is_absolute() else name:
                              (pathlib.Path(distribution_dir) / name).read_text(errors="replace") for name in files}
        components.append(component)
    return components


def _dist_info_components(names, read, origin):
    """One component per .dist-info among `names` (`<dist-info>/<path>`; `read(name)` gives its bytes):
    Name, Version, License(-Expression), licence files."""
    by_dist_info = {}
    for name in names:
        dist_info, _, path = name.partition("/")
        if dist_info.endswith(".dist-info"):
            by_dist_info.setdefault(dist_info, []).append(path)
    components = []
    for dist_info, paths in sorted(by_dist_info.items()):
        if "METADATA" not in paths:
            continue
        headers = HeaderParser().parsestr(read(f"{dist_info}/METADATA").decode("utf-8", errors="replace"))
        classifiers = [c.rpartition(" :: ")[2] for c in headers.get_all("Classifier", []) if c.startswith("License ::")]
        license_name = headers.get("License-Expression") or headers.get("License") or ", ".join(classifiers) or "UNKNOWN"
        texts = {
            path: read(f"{dist_info}/{path}").decode("utf-8", errors="replace")
            for path in sorted(paths)
            if path.upper().startswith(tuple(p.upper() for p in LICENSE_FILE_PREFIXES))
        }
        components.append({
            "component": headers.get("Name", dist_info),
            "version": headers.get("Version", ""),
            "license": license_name.strip(),
            "origin": origin,
            "texts": texts,
        })
    return components


def metadata_components(blob):
    """One component per embedded .dist-info."""
    return _dist_info_components(blob.names(METADATA), lambda name: blob.get(METADATA, name).primary, "dist-info")


def ensurepip_wheel_components(blob):
    """One component per .dist-info of the wheels ensurepip bundles (`ensurepip/_bundled/*.whl`)."""
    components = []
    for name in sorted(blob.names(DATA)):
        if name.startswith("ensurepip/_bundled/") and name.endswith(".whl"):
            with zipfile.ZipFile(io.BytesIO(blob.get(DATA, name).primary)) as wheel:
                components += _dist_info_components(wheel.namelist(), wheel.read, f"wheel {name}")
    return components


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", required=True, help="label of the binary")
    parser.add_argument("--descriptor", required=True)
    parser.add_argument("--distribution", required=True, help="the distribution directory (licence texts)")
    parser.add_argument("--blob", required=True, help="the binary's resource blob")
    parser.add_argument("--report", help="the pack step's report (<name>.blob.json): the built-ins it leaves out")
    parser.add_argument("--runtime_lib", action="append", default=[], help="a C library the runtime links (zstd with compress)")
    parser.add_argument("--extra_builtins", help="the distribution's extra built-ins (JSON): their libraries too")
    parser.add_argument("--extra_builtins_dir", help="their directory (licence texts)")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    try:
        descriptor = extra_builtins.combined(args.descriptor, args.extra_builtins, args.extra_builtins_dir)
        builtins = linked_builtins(descriptor, args.report) if args.report else None  # None: everything
        blob = read_blob(args.blob)
        components = (distribution_components(descriptor, args.distribution, builtins, args.runtime_lib)
                      + metadata_components(blob) + ensurepip_wheel_components(blob))
    except (BlobError, OSError, KeyError, ValueError, zipfile.BadZipFile, distribution_descriptor.DescriptorError,
            extra_builtins.ExtraBuiltinsError) as err:
        print(f"error: {args.target}: cannot list licences: {err}", file=sys.stderr)
        return 1
    report = {"binary": args.target, "python_version": descriptor.python_version,
              "target_triple": descriptor.target_triple, "components": components}
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=1, sort_keys=True)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
