"""Incremental and disk-cached builds, measured from Bazel's execution log (docs/proofs.md).

In a copy of this checkout (so the edit never touches the working tree) with a small app of its
own, in a fresh output base, with the shared disk cache of .bazelrc: the CPython distribution and
the stdlib come from that cache (their action keys do not depend on the checkout's path). The
remote-cache counterpart is in test_reproducible.py.
"""

import pathlib
import shutil
import subprocess
import uuid

import pytest

from harness import REPO, copy_checkout, executed, ran

MUSL = "--platforms=//platforms:linux_musl"
APP = "//cache_probe:app"

BUILD = """\
load("//rules:defs.bzl", "py_static_binary")

py_static_binary(
    name = "app",
    srcs = ["app.py", "helper.py"],
    entry_point = "app:main",
    imports = ["."],
)
"""
APP_PY = """\
import helper


def main():
    print(helper.greeting("{word}"))
"""
HELPER_PY = """\
def greeting(word):
    return f"cache probe says {word}"
"""

# What a change to one .py file of the app makes Bazel run again, measured: the app's manifest,
# bytecode and blob, the C glue that names the blob's sha256, the binary's compiles and its link,
# the static check of the result, the licence report (which reads the manifest), the licence policy
# (reads the blob) and the SBOM (reads the executable). Nothing of the CPython distribution, its C
# libraries or the stdlib.
AFTER_AN_APP_EDIT = {
    "PyStaticManifest",
    "PyStaticBytecode",
    "PyStaticBlob",
    "PyStaticGlue",
    "CppCompile",
    "CppLink",
    "PyStaticVerifyElf",
    # The linked executable's export table proved again; the gate itself (PyStaticNativeExports)
    # reads only the pack step's list of shared objects, which an app edit does not change.
    "PyStaticCheckNativeExports",
    "PyStaticLicenses",
    "PyStaticLicensePolicy",
    "PyStaticSbom",
}
TOOLCHAIN_MNEMONICS = {"PyStaticDep", "PyStaticCPython", "PyStaticCPythonSbom", "PyStaticStdlib", "PyStaticMergeArchives"}


@pytest.fixture
def probe(tmp_path, fresh_bazel, bazel):
    """(bazel in a checkout copy holding //cache_probe:app, that checkout)."""
    bazel.run("build", "//examples/hello", MUSL)  # the toolchain's actions are in the disk cache
    checkout = copy_checkout(tmp_path / "checkout")
    (checkout / "cache_probe").mkdir()
    (checkout / "cache_probe" / "BUILD.bazel").write_text(BUILD)
    (checkout / "cache_probe" / "app.py").write_text(APP_PY.format(word="one"))
    (checkout / "cache_probe" / "helper.py").write_text(HELPER_PY)
    return fresh_bazel("probe", workspace=checkout), checkout


def _run(bazel):
    binary = bazel.output_file(APP, MUSL)
    return subprocess.run([str(binary)], capture_output=True, text=True, env={}, timeout=60).stdout


def test_an_app_edit_reruns_only_the_apps_actions_and_a_clean_rebuild_runs_nothing(probe, tmp_path):
    bazel, checkout = probe
    app_py = checkout / "cache_probe" / "app.py"
    # Every output on disk (not only the top-level ones), for the build without a cache below.
    spawns = bazel.build_spawns(tmp_path / "first.json", APP, MUSL, "--remote_download_all")
    assert _run(bazel) == "cache probe says one\n"
    # Another checkout path and output base, yet the same action keys: nothing of the toolchain runs.
    toolchain = [s for s in spawns if s["mnemonic"] in TOOLCHAIN_MNEMONICS]
    assert {s["mnemonic"] for s in toolchain} == TOOLCHAIN_MNEMONICS
    assert executed(toolchain) == [], "ran, not from the disk cache (path-dependent keys, or a wiped cache?)"

    # One .py of the app changes, to a text no earlier run wrote, so none of the actions it
    # invalidates can be in the disk cache: exactly those run, everything else is a cache hit.
    # (Not `--disk_cache=`: Bazel then re-runs actions whose outputs came from that cache.)
    word = "two-" + uuid.uuid4().hex[:12]
    app_py.write_text(APP_PY.format(word=word))
    spawns = bazel.build_spawns(tmp_path / "edit.json", APP, MUSL)
    spawns_run = ran(spawns)
    mnemonics = {s["mnemonic"] for s in spawns_run}
    assert mnemonics == AFTER_AN_APP_EDIT, sorted(mnemonics)
    assert not mnemonics & TOOLCHAIN_MNEMONICS
    # Only the glue compiles again (its .incbin reads the blob); the runtime's own C files are a
    # separate compile without the blob as an input, so they stay cached.
    compiled = {o.rpartition("/")[2] for s in spawns_run if s["mnemonic"] == "CppCompile" for o in s["listedOutputs"]
                if o.endswith(".o")}
    assert compiled == {"app.glue.o"}, compiled
    assert _run(bazel) == f"cache probe says {word}\n"

    # Back to the first version; `bazel clean` drops every output and the disk cache serves the
    # whole rebuild (written by the first build, or by an earlier run of this test): nothing runs.
    app_py.write_text(APP_PY.format(word="one"))
    bazel.run("clean")
    spawns = bazel.build_spawns(tmp_path / "clean.json", APP, MUSL)
    assert executed(spawns) == []
    assert {s["runner"] for s in spawns} == {"disk cache hit"}
    assert AFTER_AN_APP_EDIT | {"PyStaticCPython", "PyStaticStdlib"} <= {s["mnemonic"] for s in spawns}
    assert _run(bazel) == "cache probe says one\n"


LOST_CACHE_BUILD = """\
genrule(name = "first", outs = ["first.txt"], cmd = "echo first > $@")
genrule(name = "second", srcs = [":first"], outs = ["second.txt"], cmd = "cat $< > $@; echo {word} >> $@")
"""


@pytest.mark.parametrize("retries", [None, "0"], ids=["this_bazelrc", "without_retries"])
def test_a_build_survives_a_disk_cache_that_lost_the_outputs_it_left_there(fresh_bazel, tmp_path, retries):
    """Bazel 7 leaves a cache hit's intermediate outputs in the cache; when that cache is replaced
    (CI's output base outlived a swapped disk cache) the next build needs them: with this checkout's
    .bazelrc it reruns what was lost, without its retries it fails with exit code 39."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "MODULE.bazel").write_text('module(name = "lost_cache")\n')
    (workspace / ".bazelrc").write_text((REPO / ".bazelrc").read_text())
    build = workspace / "BUILD.bazel"
    build.write_text(LOST_CACHE_BUILD.format(word="one"))
    bazel = fresh_bazel("lost_cache", workspace=workspace, wrapper=REPO / "tools" / "bazel")
    cache = tmp_path / "disk-cache"
    flags = [f"--disk_cache={cache}"] + ([f"--experimental_remote_cache_eviction_retries={retries}"] if retries else [])
    bazel.run("build", "//:second", *flags)
    bazel.run("clean")
    spawns = bazel.build_spawns(tmp_path / "hits.json", "//:second", *flags)
    assert {s["runner"] for s in spawns} == {"disk cache hit"}, spawns
    bin_dir = pathlib.Path(bazel.run("info", "bazel-bin", *flags).stdout.strip())
    assert not (bin_dir / "first.txt").exists(), "a cache hit's intermediate output was downloaded"

    shutil.rmtree(cache)
    build.write_text(LOST_CACHE_BUILD.format(word="two"))
    result = bazel.run("build", "//:second", *flags, check=False)
    if retries == "0":
        assert result.returncode == 39 and "Missing digest" in result.stderr, result.stderr[-2000:]
    else:
        assert result.returncode == 0, result.stderr[-2000:]
        assert (bin_dir / "second.txt").read_text() == "first\ntwo\n"
