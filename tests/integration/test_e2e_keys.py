"""The distribution's actions have the same keys here and in e2e/, a workspace that uses
rules_pystatic as a dependency (so tools/test's e2e step and users get cache hits).

Bazel puts canonical repository names (`_main`, `rules_pystatic~`) into every input and output
path of an action; the distribution is the module `pystatic_distribution` so that its names are
the same in both (DEVELOPERS.md). Analysis only: `bazel aquery`, nothing is built.
"""

import collections
import json
import subprocess

import pytest

from harness import REPO

QUERY = 'mnemonic("PyStaticDep|PyStaticCPython|PyStaticCPythonSbom", deps({}))'


def action_keys(workspace, target, *flags):
    result = subprocess.run(
        [str(REPO / "tools" / "bazel"), "aquery", QUERY.format(target), *flags, "--output=jsonproto"],
        cwd=workspace, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]
    return {(a["mnemonic"], a["actionKey"]) for a in json.loads(result.stdout).get("actions", [])}


@pytest.mark.parametrize("build", ["3.13", "3.13t"])
def test_aarch64_and_build_python_distributions_have_the_keys_of_the_root_workspace(build):
    # The build setting as users write it (an alias in both workspaces).
    name = "cpython_" + build.replace(".", "_")
    root = action_keys(REPO, f"//toolchains/cpython:{name}", "--platforms=//platforms:linux_musl_aarch64",
                       f"--@rules_pystatic//python:version={build}")
    e2e = action_keys(REPO / "e2e", f"@rules_pystatic//toolchains/cpython:{name}",
                      "--platforms=@rules_pystatic//platforms:linux_musl_aarch64",
                      f"--@rules_pystatic//python:version={build}")
    mnemonics = collections.Counter(m for m, _ in root)
    # Both CPythons (aarch64 and its x86_64 build Python) and each one's C libraries.
    assert mnemonics["PyStaticCPython"] == 2 and mnemonics["PyStaticCPythonSbom"] == 2, mnemonics
    assert mnemonics["PyStaticDep"] >= 2 * 8, mnemonics
    assert e2e == root


def test_a_build_without_platforms_has_the_keys_of_the_linux_musl_build():
    """py_static_binary's transition (rules/private/platform_transition.bzl) picks the host's musl
    platform when no --platforms is given: the same configuration as --platforms=//platforms:linux_musl
    (with .bazelrc's --experimental_platform_in_output_dir), so every action of the closure has the same
    key and output path, and a --platforms build's keys are what they were before the transition."""
    query = "deps(//examples/hello)"

    def keys(*flags):
        result = subprocess.run([str(REPO / "tools" / "bazel"), "aquery", query, *flags, "--output=jsonproto"],
                                cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-4000:]
        return {a["actionKey"] for a in json.loads(result.stdout).get("actions", [])}

    plain = keys()
    assert len(plain) > 100 and plain == keys("--platforms=//platforms:linux_musl")
