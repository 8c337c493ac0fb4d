"""Integration tests: they drive tools/bazel like a user and inspect what it builds."""

import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))


class Bazel:
    def __init__(self, workspace, startup=()):
        self.workspace = workspace
        self.startup = list(startup)

    def run(self, *args, check=True):
        cmd = [str(REPO / "tools" / "bazel"), *self.startup, *args]
        result = subprocess.run(cmd, cwd=self.workspace, capture_output=True, text=True)
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
        # Resolved now: bazel-out/ follows whichever output base built last.
        return (self.workspace / out[0]).resolve()


@pytest.fixture(scope="session")
def bazel():
    return Bazel(REPO)


@pytest.fixture
def fresh_bazel(tmp_path):
    """Bazels with their own empty output bases (pass --disk_cache= for a fully clean build)."""
    instances = []

    def make(name):
        instance = Bazel(REPO, startup=[f"--output_base={tmp_path / name}"])
        instances.append(instance)
        return instance

    yield make
    for instance in instances:
        instance.run("shutdown", check=False)
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture(scope="session")
def qemu_aarch64():
    path = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    if path is None:
        pytest.fail("qemu-user is needed to run aarch64 binaries: apt-get install qemu-user-static")
    return path
