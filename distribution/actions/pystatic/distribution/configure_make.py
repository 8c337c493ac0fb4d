"""What the configure/make style actions (build_cpython, build_dep) share: environment, logging, errors."""

import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from pystatic.common.zig_env import zig_runtime_env


class BuildError(Exception):
    """A build step failed; the message says which, the log holds the details."""


# Compiler flags of every C object of the distribution, CPython's and its libraries' (docs/cpython.md,
# "Compiler flags"): flag -> why. No -fPIC anywhere: every consumer is a static, non-PIE executable
# (py_static_binary, the interpreter); position-independent code only costs registers and GOT
# indirections there.
OPTIMISATION_FLAGS = {
    "-O2": "configure's default optimisation level",
    "-g0": "no DWARF in the archives (zig cc adds debug info by default)",
    "-fomit-frame-pointer": "zig cc keeps frame pointers at -O2 by default; gcc and Debian's python3.13 do not",
}
SECTION_FLAGS = {
    "-ffunction-sections": "a section per function: per-binary links (--gc-sections) drop unused code",
    "-fdata-sections": "a section per variable, for the same reason",
}
# zig cc asks for unwind tables itself: both flags are needed to drop them (measured: either alone
# leaves .eh_frame). The toolchain's C compiles (cc_toolchain_config.bzl) name the same two;
# tests/actions/test_build_dep.py checks that they do.
NO_UNWIND_TABLES = {
    "-fno-asynchronous-unwind-tables": "no .eh_frame for C code (about 0.4 MB of every binary): nothing unwinds"
    " through C frames here (no C++ exceptions cross CPython, musl has no backtrace(), faulthandler walks"
    " Python frames)",
    "-fno-unwind-tables": "the same, for zig's default of synchronous tables",
}

# In a dependency's output prefix (build_dep.py): its archives, one per line, in link order.
LINK_ORDER_FILE = "lib/ARCHIVES"


def scratch_dir(output):
    """An empty scratch directory whose path depends only on the action's output path.

    configure records paths (its own directory, CC) in generated files that are shipped (e.g.
    CPython's _sysconfigdata): a random temporary name would make every build differ. Under
    Bazel's sandbox /tmp is private to the action, so the fixed name cannot collide.
    """
    key = hashlib.sha256(str(output).encode()).hexdigest()[:12]
    work = pathlib.Path(tempfile.gettempdir()) / f"pystatic-build-{key}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return work


def build_env(work, cc, ar, **extra):
    """A minimal, fixed environment: the toolchain's cc/ar, scratch HOME/TMPDIR, no locale, fixed epoch.

    cc and ar are reached through links in `work`, so the paths configure records do not name
    the machine's output base.
    """
    tools = pathlib.Path(work) / "tools"
    tools.mkdir(exist_ok=True)
    for name, target in (("cc", cc), ("ar", ar)):
        (tools / name).symlink_to(pathlib.Path(target).resolve())
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "TMPDIR": str(work),
        "CC": str(tools / "cc"),
        "AR": str(tools / "ar"),
        "SOURCE_DATE_EPOCH": "0",
        "LC_ALL": "C",
        **zig_runtime_env(),
    }
    env.update(extra)
    return env


def run(cmd, cwd, env, log):
    """Runs one build step, its output into the log; BuildError if it fails."""
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    if subprocess.run(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT).returncode != 0:
        raise BuildError(f"`{' '.join(cmd)}` failed")


def logged_build(log_path, what, build):
    """Calls build(log) with the log file open; on BuildError prints `what`, the error and the log's end.

    Returns (exit code, build's result).
    """
    with open(log_path, "w", encoding="utf-8") as log:
        try:
            return 0, build(log)
        except BuildError as err:
            log.flush()
            tail = pathlib.Path(log_path).read_text(errors="replace")[-3000:]
            print(f"error: building {what}: {err}\n--- end of log ---\n{tail}", file=sys.stderr)
            return 1, None
