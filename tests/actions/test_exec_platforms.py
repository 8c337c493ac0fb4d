"""The execution platforms' table (distribution/toolchains/exec_platforms.bzl) is the one home of what
a remote worker must provide: the platform's exec_properties, the registration, the worker root that
tools/remote_execution makes and the properties its worker advertises all come from it
(docs/remote-execution.md)."""

import re
import subprocess

from starlark_tables import ROOT, starlark_table

EXEC_PLATFORMS_BZL = "distribution/toolchains/exec_platforms.bzl"
TOOL = ROOT / "tools" / "remote_execution"


def exec_platforms():
    return starlark_table(EXEC_PLATFORMS_BZL, "EXEC_PLATFORMS")


def test_the_worker_packages_property_is_the_package_list():
    for name, row in exec_platforms().items():
        packages = row["worker_packages"]
        assert packages == sorted(set(packages)), (name, "keep worker_packages sorted and unique")
        assert row["exec_properties"]["pystatic-worker-packages"] == " ".join(packages), name
        assert {"OSFamily", "ISA"} <= set(row["exec_properties"]), name


def test_tools_remote_execution_reads_the_same_row():
    row = exec_platforms()["exec_linux_x86_64"]
    out = subprocess.run([TOOL, "--print-worker-packages"], capture_output=True, text=True, check=True).stdout
    assert out.split() == row["worker_packages"]
    out = subprocess.run([TOOL, "--print-exec-properties"], capture_output=True, text=True, check=True).stdout
    assert dict(line.split("=", 1) for line in out.splitlines()) == row["exec_properties"]


def test_every_exec_platform_is_registered_in_both_modes():
    module = (ROOT / "distribution" / "MODULE.bazel").read_text()
    registered = re.findall(r'register_execution_platforms\(([^)]*)\)', module)
    for name in exec_platforms():
        assert any(f'"//platforms:{name}"' in call for call in registered), name
    # WORKSPACE mode registers the table's keys; the root's //platforms aliases them.
    assert "native.register_execution_platforms(" in (ROOT / "rules" / "repositories.bzl").read_text()
    assert "EXEC_PLATFORMS.keys()" in (ROOT / "platforms" / "BUILD.bazel").read_text()
