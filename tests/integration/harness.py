"""The integration tests' Bazel driver and helpers (importable from test modules; conftest.py
holds the fixtures)."""

import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


class Bazel:
    def __init__(self, workspace, startup=(), wrapper=None):
        """wrapper: the Bazel command (default: the workspace's tools/bazel; an outside workspace
        uses this checkout's, as tools/test's e2e step does)."""
        self.workspace = workspace
        self.startup = list(startup)
        self.wrapper = wrapper or workspace / "tools" / "bazel"
        self._execution_root = None

    def run(self, *args, check=True):
        cmd = [str(self.wrapper), *self.startup, *args]
        started = time.monotonic()
        result = subprocess.run(cmd, cwd=self.workspace, capture_output=True, text=True)
        log_invocation(cmd, time.monotonic() - started, result.stderr)
        if check and result.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
        return result

    def build_file(self, target, *flags):
        """Builds `target` and returns the path of its output file (see output_file)."""
        self.run("build", target, *flags)
        return self.output_file(target, *flags)

    def output_file(self, target, *flags):
        """`target`'s output file: its only one, or the one named like the target (a
        py_static_binary also outputs <name>.licenses.json)."""
        out = self.run("cquery", target, *flags, "--output=files").stdout.split()
        if len(out) > 1:
            name = target.rpartition(":")[2] if ":" in target else target.rpartition("/")[2]
            out = [path for path in out if path.rpartition("/")[2] == name]
        assert len(out) == 1, out
        return (self.execution_root() / out[0]).resolve()

    def execution_root(self):
        """This Bazel's execution root: cquery's paths (bazel-out/...) are relative to it. Not the
        workspace's bazel-out symlink, which follows whichever output base planted it last."""
        if self._execution_root is None:
            self._execution_root = pathlib.Path(self.run("info", "execution_root").stdout.strip())
        return self._execution_root

    def build_spawns(self, log, *args):
        """Builds with an execution log at `log` and returns its spawns (the actions Bazel had to
        run or fetch; up-to-date ones are not in it): dicts with mnemonic, runner, cacheHit, ..."""
        self.run("build", f"--execution_log_json_file={log}", *args)
        return execution_log(log)


def log_invocation(cmd, seconds, stderr):
    """With $PYSTATIC_BAZEL_TIMES (dev/fresh-machine-run sets it), appends one line per Bazel command:
    its seconds, the test, the command, and Bazel's count of what ran: where the CI budget goes."""
    path = os.environ.get("PYSTATIC_BAZEL_TIMES")
    if not path or seconds < 1:
        return
    processes = next((line.strip() for line in stderr.splitlines() if " processes:" in line), "")
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" (", 1)[0]
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"{seconds:7.1f}s {test} | {' '.join(cmd[1:])[:300]} | {processes}\n")


def execution_log(path):
    """The SpawnExec records of an --execution_log_json_file: concatenated JSON objects."""
    text, decoder, spawns, at = pathlib.Path(path).read_text(), json.JSONDecoder(), [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return spawns
        spawn, at = decoder.raw_decode(text, at)
        spawns.append(spawn)


def ran(spawns):
    """The spawns that ran (not served by a cache)."""
    return [s for s in spawns if not s.get("cacheHit")]


def executed(spawns):
    """The spawns that ran, as (mnemonic, runner, first output) tuples (readable in a failure)."""
    return [(s["mnemonic"], s.get("runner"), (s.get("listedOutputs") or ["?"])[0]) for s in ran(spawns)]


@contextlib.contextmanager
def output_bases(base):
    """Yields make(name, workspace=REPO, wrapper=None): a Bazel with its own output base under `base`. On exit
    every one is shut down and `base` removed."""
    instances = []

    def make(name, workspace=REPO, wrapper=None):
        instance = Bazel(workspace, startup=[f"--output_base={base / name}"], wrapper=wrapper)
        instances.append(instance)
        return instance

    try:
        yield make
    finally:
        # The servers shut down together, and the output bases (gigabytes each) are deleted in the
        # background: a test's teardown took 40-50 s of the CI budget doing both one after another.
        shutdowns = [subprocess.Popen([str(instance.wrapper), *instance.startup, "shutdown"],
                                      cwd=instance.workspace, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for instance in instances]
        for shutdown in shutdowns:
            shutdown.wait()
        if base.exists():
            trash = base.with_name(f"{base.name}.deleted-{os.getpid()}-{id(instances)}")
            base.rename(trash)
            subprocess.Popen(["rm", "-rf", str(trash)], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def copy_checkout(dest):
    """Copies the working tree (tracked and untracked, not ignored files: what `git status` sees,
    uncommitted edits included) to `dest`, a checkout at another path. Returns dest."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, target = REPO / name, dest / name
        if not os.path.lexists(source):  # deleted in the working tree
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    return dest


def run_in_root(bwrap, binary, root, name, args, env=(), runner=(), timeout=600, writable=(), program=None):
    """Runs `binary` as /<name> in `root`, read-only, with a fresh /proc, no other namespace shared
    and a clean environment (`env`: (name, value) pairs); `runner`: (qemu, its flags...) for another
    CPU, copied in as /qemu. `writable`: directories of `root` (e.g. "work") mounted read-write;
    `program`: the path in the root to run instead of /<name> (e.g. a venv's bin/python). Returns
    the CompletedProcess."""
    cmd = in_root_command(bwrap, binary, root, name, args, env, runner, writable, program)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def in_root_command(bwrap, binary, root, name, args, env=(), runner=(), writable=(), program=None):
    """The command line of run_in_root (e.g. for a terminal multiplexer to run)."""
    (root / "proc").mkdir(parents=True, exist_ok=True)
    shutil.copy2(binary, root / name)
    prefix = []
    if runner:
        shutil.copy2(runner[0], root / "qemu")
        prefix = ["/qemu", *runner[1:]]
    setenv = [a for variable, value in env for a in ("--setenv", variable, value)]
    binds = [a for directory in writable for a in ("--bind", str(root / directory), "/" + directory)]
    return [bwrap, "--ro-bind", str(root), "/", *binds, "--proc", "/proc", "--unshare-all", "--die-with-parent",
            "--clearenv", *setenv, *prefix, program or "/" + name, *args]
