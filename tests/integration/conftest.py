"""Integration tests: they drive tools/bazel like a user and inspect what it builds."""

import shutil
import sys

import pytest

from harness import REPO, Bazel, output_bases

sys.path.insert(0, str(REPO / "actions"))

sys.path.insert(1, str(REPO / "distribution" / "actions"))
sys.path.insert(2, str(REPO / "tests"))  # starlark_tables


@pytest.fixture(scope="session")
def bazel():
    return Bazel(REPO)


@pytest.fixture
def fresh_bazel(tmp_path):
    """Bazels with their own empty output bases (pass --disk_cache= for a fully clean build), in
    this checkout or in `workspace` (e.g. a copy_checkout)."""
    with output_bases(tmp_path) as make:
        yield make


@pytest.fixture(scope="session")
def bwrap():
    """bubblewrap, which runs the binaries in empty read-only roots."""
    path = shutil.which("bwrap")
    if path is None:
        pytest.fail("bubblewrap is needed for the empty-root tests: apt-get install bubblewrap")
    return path


@pytest.fixture(scope="session")
def qemu_aarch64():
    # The qemu of distribution/toolchains/targets.bzl's aarch64 row.
    from starlark_tables import by_cpu

    name = by_cpu()["aarch64"]["qemu"]
    path = shutil.which(name) or shutil.which(name.removesuffix("-static"))
    if path is None:
        pytest.fail("qemu-user is needed to run aarch64 binaries: apt-get install qemu-user-static")
    return path
