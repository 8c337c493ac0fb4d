"""The free-threaded Python build (3.13t, configure --disable-gil) end to end: examples/threads.

Its binaries are fully static, run without the GIL (sys._is_gil_enabled() is False), alone in an
empty root, on aarch64 under qemu. Their byte-identical clean rebuild in another checkout is in
test_reproducible.py (one clean build for both Python builds). docs/proofs.md.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from pystatic.binary.verify_elf import static_problems

MUSL = "--platforms=//platforms:linux_musl"
AARCH64 = "--platforms=//platforms:linux_musl_aarch64"
THREADS = "//examples/threads:threads"
THREADS_GIL = "//examples/threads:threads_gil"


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, env={}, timeout=300, **kwargs)


def report(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def expected_chain(work):
    """The answer of examples/threads/threads.py for `work`, from this machine's python3."""
    script = pathlib.Path(__file__).resolve().parents[2] / "examples" / "threads" / "threads.py"
    out = subprocess.run([sys.executable, str(script), "--threads", "1", "--work", str(work)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["longest_chain"]


@pytest.fixture(scope="module")
def threads(bazel):
    bazel.run("build", THREADS, THREADS_GIL, MUSL)
    return bazel.output_file(THREADS, MUSL), bazel.output_file(THREADS_GIL, MUSL)


def test_free_threaded_binary_runs_without_the_gil(threads):
    free, gil = threads
    assert static_problems(free, "EM_X86_64") == []
    out = report(run([str(free), "--threads", "2", "--work", "20000"]))
    assert out["gil_enabled"] is False and out["free_threaded_build"] is True
    assert out["hash_algorithm"] == "siphash13"  # as python3's (configure_answers.py, BY_CPU)
    assert out["longest_chain"] == expected_chain(20000)
    # The same sources on the default build: the GIL is there.
    out = report(run([str(gil), "--threads", "2", "--work", "20000"]))
    assert out["gil_enabled"] is True and out["free_threaded_build"] is False and out["longest_chain"] == expected_chain(20000)


def test_free_threaded_binary_runs_alone_in_an_empty_root(threads, tmp_path, bwrap):
    free, _ = threads
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy2(free, root / "app")
    cmd = [bwrap, "--ro-bind", str(root), "/", "--unshare-all", "--die-with-parent", "--clearenv",
           "/app", "--threads", "2", "--work", "5000"]
    out = report(subprocess.run(cmd, capture_output=True, text=True, timeout=120))
    assert out["gil_enabled"] is False and out["longest_chain"] == expected_chain(5000)
    assert sorted(os.listdir(root)) == ["app"]


def test_free_threaded_aarch64_binary_runs_under_qemu(bazel, qemu_aarch64):
    # Cross build: the aarch64 3.13t distribution is configured with the x86_64 3.13t as build Python.
    bazel.run("build", THREADS, AARCH64)
    binary = bazel.output_file(THREADS, AARCH64)
    assert static_problems(binary, "EM_AARCH64") == []
    out = report(run([qemu_aarch64, str(binary), "--threads", "2", "--work", "5000"]))
    assert out["gil_enabled"] is False and out["free_threaded_build"] is True and out["longest_chain"] == expected_chain(5000)


def test_command_line_build_setting_selects_the_free_threaded_runtime(bazel):
    """--@rules_pystatic//python:version=3.13t picks the 3.13t runtime toolchain for any binary."""
    out = bazel.run("cquery", "deps(//examples/hello, 2)", MUSL, "--@rules_pystatic//python:version=3.13t",
                    "--output=label").stdout
    assert "//toolchains/cpython:runtime_3_13t" in out, out
    assert "//toolchains/cpython:runtime_3_13 " not in out.replace("\n", " ") + " "


def test_wheels_are_resolved_for_the_free_threaded_abi(bazel):
    bazel.run("build", "//examples/threads:escape", MUSL)
    out = report(run([str(bazel.output_file("//examples/threads:escape", MUSL))]))
    assert out == {"gil_enabled": False, "escaped": "&lt;b&gt;&amp;&lt;/b&gt;", "version": "3.0.3",
                   "wheel_tag": "cp313-cp313t-musllinux_1_2_x86_64"}


def test_a_wheel_of_another_python_build_fails_analysis_naming_the_fix(bazel):
    result = bazel.run("build", "//tests/wheels:wrong_python_build", MUSL, check=False)
    assert result.returncode != 0
    assert ("are resolved for Python 3.13t, and this target is built for another Python build. "
            'Fix: set python_version = "3.13t" on the binary') in result.stderr, result.stderr[-3000:]
