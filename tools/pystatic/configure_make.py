"""What the configure/make style actions (build_cpython, build_dep) share: environment, logging, errors."""

import os
import pathlib
import subprocess
import sys


class BuildError(Exception):
    """A build step failed; the message says which, the log holds the details."""


def build_env(work, cc, ar, **extra):
    """A minimal, fixed environment: the toolchain's cc/ar, scratch HOME/TMPDIR, no locale, fixed epoch."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "TMPDIR": str(work),
        "CC": str(pathlib.Path(cc).resolve()),
        "AR": str(pathlib.Path(ar).resolve()),
        "SOURCE_DATE_EPOCH": "0",
        "LC_ALL": "C",
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
