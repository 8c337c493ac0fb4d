"""Builds one C library that CPython's extension modules need, as a static archive (one action).

Output: a prefix directory (include/, lib/*.a, lib/pkgconfig/) installed under the fixed prefix
`/pystatic-deps` (rewritten by consumers), plus the library's licence text as LICENSE.<name>.
"""

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from pystatic.action_args import expand_param_files
from pystatic.source_archive import ArchiveError, extract_source

PREFIX = "/pystatic-deps"

# name -> (licence file in the source tree, commands). Commands run in the source directory.
RECIPES = {
    "zlib": (
        "LICENSE",
        lambda jobs: [
            ["./configure", "--static", f"--prefix={PREFIX}"],
            ["make", f"-j{jobs}", "libz.a"],
            ["make", "install"],
        ],
    ),
}


class BuildError(Exception):
    pass


def build(args, log):
    if args.name not in RECIPES:
        raise BuildError(f"no recipe for '{args.name}'; known: {', '.join(sorted(RECIPES))}")
    license_file, commands = RECIPES[args.name]
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"{args.name}-"))
    try:
        src = extract_source(args.source, work)
    except ArchiveError as err:
        raise BuildError(str(err)) from err
    stage = work / "stage"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "TMPDIR": str(work),
        "CC": str(pathlib.Path(args.cc).resolve()),
        "AR": str(pathlib.Path(args.ar).resolve()),
        "CFLAGS": "-O2 -fPIC -g0",
        "DESTDIR": str(stage),
        "SOURCE_DATE_EPOCH": "0",
        "LC_ALL": "C",
    }
    for cmd in commands(args.jobs):
        log.write(f"$ {' '.join(cmd)}\n")
        log.flush()
        if subprocess.run(cmd, cwd=src, env=env, stdout=log, stderr=subprocess.STDOUT).returncode != 0:
            raise BuildError(f"`{' '.join(cmd)}` failed")
    out = pathlib.Path(args.output)
    # Bazel creates the output directory beforehand.
    shutil.copytree(stage / PREFIX.lstrip("/"), out, ignore=shutil.ignore_patterns("*.so*", "man", "share"), dirs_exist_ok=True)
    shutil.copy2(src / license_file, out / f"LICENSE.{args.name}")
    shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--cc", required=True)
    parser.add_argument("--ar", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))
    with open(args.log, "w", encoding="utf-8") as log:
        try:
            build(args, log)
        except BuildError as err:
            log.flush()
            tail = pathlib.Path(args.log).read_text(errors="replace")[-3000:]
            print(f"error: building {args.name}: {err}\n--- end of log ---\n{tail}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
