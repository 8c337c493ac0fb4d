"""The hermetic toolchains, end to end: static musl binaries that run, reproducibly."""

import hashlib
import subprocess

from pystatic.binary.verify_elf import static_problems

HELLO = "//tests/toolchains:hello_c"
PLATFORMS = {
    "x86_64": "--platforms=//platforms:linux_musl",
    "aarch64": "--platforms=//platforms:linux_musl_aarch64",
}


def _run(binary, qemu=None):
    cmd = [qemu, str(binary)] if qemu else [str(binary)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={})


def test_x86_64_musl_binary_is_fully_static_and_runs(bazel):
    binary = bazel.build_file(HELLO, PLATFORMS["x86_64"])
    assert static_problems(binary, "EM_X86_64") == []
    result = _run(binary)
    assert (result.returncode, result.stdout) == (0, "hello from rules_pystatic (musl libc)\n")


def test_aarch64_musl_binary_is_fully_static_and_runs_under_qemu(bazel, qemu_aarch64):
    binary = bazel.build_file(HELLO, PLATFORMS["aarch64"])
    assert static_problems(binary, "EM_AARCH64") == []
    result = _run(binary, qemu_aarch64)
    assert (result.returncode, result.stdout) == (0, "hello from rules_pystatic (musl libc)\n")


def test_a_clean_aarch64_build_is_byte_identical_to_the_sessions(bazel, fresh_bazel):
    """A clean build (an empty output base, no disk cache) against the session's build, which ran in
    another output base or came from a disk cache another checkout filled. x86_64's is
    test_reproducible.py's clean build (zig's runtime, compiles and links among its actions, from
    another checkout), whose HTTP cache then serves every action to a fresh output base: cached
    compile outputs and their .d header lists name no machine-specific path (the CI budget,
    DEVELOPERS.md)."""
    digests = [hashlib.sha256(binary.read_bytes()).hexdigest() for binary in (
        bazel.build_file(HELLO, PLATFORMS["aarch64"]),
        fresh_bazel("clean").build_file(HELLO, PLATFORMS["aarch64"], "--disk_cache="),
    )]
    assert digests[0] == digests[1]


def test_unsupported_platform_names_the_supported_ones(bazel):
    result = bazel.run("build", HELLO, "--platforms=//tests/toolchains:linux_musl_riscv64", check=False)
    assert result.returncode != 0
    assert "no C toolchain for target platform" in result.stderr
    for platform in ("platforms:linux_musl ", "platforms:linux_musl_aarch64", "platforms:windows_msvc"):
        assert platform in result.stderr


def test_windows_build_on_linux_says_it_needs_a_windows_host(bazel):
    result = bazel.run("build", HELLO, "--platforms=//platforms:windows_msvc", check=False)
    assert result.returncode != 0
    assert "needs a Windows host with MSVC" in result.stderr


def test_host_build_without_platforms_uses_the_host_toolchain(bazel):
    binary = bazel.build_file(HELLO)
    result = _run(binary)
    assert result.stdout == "hello from rules_pystatic (glibc libc)\n"
