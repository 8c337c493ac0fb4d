"""Extracts `Lib/ensurepip` (its modules and the pip wheel it bundles) from the CPython source archive.

PyStaticEnsurepip (py_static_runtime): the distribution's stdlib leaves ensurepip out (a sealed
py_static_binary has no use for it, build_cpython.py's STDLIB_EXCLUDED), but `python -m venv` of a
py_static_interpreter runs it to put pip into the new environment. The package comes from the very
archive the distribution was built from, so the CPython build's own action keys do not change; the
runtime toolchain compiles it like the stdlib and only interpreters embed it
(docs/py_static_binary.md, Virtual environments and pip).
"""

import argparse
import lzma
import pathlib
import sys
import tarfile

PACKAGE = "Lib/ensurepip/"


class EnsurepipError(Exception):
    """The archive is unreadable or has no usable Lib/ensurepip; the message names the archive."""


def extract(archive, output):
    """Writes the archive's Lib/ensurepip tree as `output`/ensurepip; returns the files written."""
    name = pathlib.Path(archive).name
    written = []
    try:
        with tarfile.open(archive) as tar:
            for member in tar:
                top, _, rest = member.name.partition("/")
                if not rest.startswith(PACKAGE) or not member.isfile():
                    continue
                relative = pathlib.PurePosixPath("ensurepip", rest[len(PACKAGE):])
                if ".." in relative.parts or "__pycache__" in relative.parts:
                    continue
                target = pathlib.Path(output, *relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
                written.append(str(relative))
    except (tarfile.TarError, lzma.LZMAError, OSError, EOFError) as err:
        raise EnsurepipError(f"{name}: cannot read the CPython source archive: {err}") from err
    if "ensurepip/__init__.py" not in written:
        raise EnsurepipError(f"{name} has no {PACKAGE}__init__.py: not a CPython source archive (the toolchain's "
                             "distribution names its source in cpython_static_distribution's source attribute)")
    wheels = [w for w in written if w.startswith("ensurepip/_bundled/pip-") and w.endswith(".whl")]
    if len(wheels) != 1:
        raise EnsurepipError(f"{name}: {PACKAGE}_bundled holds {len(wheels)} pip wheels ({', '.join(wheels) or 'none'}), "
                             "ensurepip needs exactly one")
    return sorted(written)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, help="the CPython source archive (.tar.xz, .tgz)")
    parser.add_argument("--output", required=True, help="directory to write ensurepip/ into")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        extract(args.source, args.output)
    except EnsurepipError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
