"""runtime/libc_thread.c (docs/libc.md): the mutex and condition-variable entry points that skip
musl's atomics while the process has no thread, linked with zig's libc as every binary is, on x86_64
natively and on aarch64 under qemu-aarch64-static. check.c gives the same results with and without
them (before the first thread, across it, contended, after fork, process-shared objects across
processes) and proves which ones are linked: with the file, pthread_mutex_lock & co. are not musl's
(an alias of its hidden __pthread_mutex_lock); without it, they are."""

import os

import pytest
import zig_static

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "runtime", "libc_thread.c")
ZIG = os.environ.get("PYSTATIC_ZIG")

pytestmark = pytest.mark.skipif(not ZIG, reason="set PYSTATIC_ZIG to a zig 0.17 binary to build the checks")


def build(tmp_path, arch, ours):
    sources = [os.path.join(HERE, "check.c")] + ([SOURCE] if ours else [])
    return zig_static.build(ZIG, tmp_path, arch, "check-%s-%s" % (arch, "ours" if ours else "musl"), sources, ["-Wall", "-Werror"])


def run(arch, path, mode):
    return zig_static.run(arch, [path, mode])


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_fast_paths_behave_as_musls_and_replace_them(tmp_path, arch):
    path = build(tmp_path, arch, ours=True)
    result = run(arch, path, "ours")
    assert result.returncode == 0 and result.stdout == "ok\n", result.stdout + result.stderr
    # The same binary asked to find musl's own: the identity check fails (it can fail).
    assert run(arch, path, "musl").returncode == 1


def test_without_them_musls_are_linked_and_pass_the_same_checks(tmp_path):
    path = build(tmp_path, "x86_64", ours=False)
    result = run("x86_64", path, "musl")
    assert result.returncode == 0 and result.stdout == "ok\n", result.stdout + result.stderr
