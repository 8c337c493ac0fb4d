"""runtime/libc_thread.c (docs/libc.md): the mutex and condition-variable entry points that skip
musl's atomics while the process has no thread, linked with zig's libc as every binary is, on x86_64
natively and on aarch64 under qemu-aarch64-static. check.c gives the same results with and without
them (before the first thread, across it, contended, after fork, process-shared objects across
processes) and proves which ones are linked: with the file, pthread_mutex_lock & co. are not musl's
(an alias of its hidden __pthread_mutex_lock); without it, they are."""

import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "runtime", "libc_thread.c")
ZIG = os.environ.get("PYSTATIC_ZIG")
QEMU = shutil.which("qemu-aarch64-static")

pytestmark = pytest.mark.skipif(not ZIG, reason="set PYSTATIC_ZIG to a zig 0.17 binary to build the checks")


def build(tmp_path, arch, ours):
    out = str(tmp_path / ("check-%s-%s" % (arch, "ours" if ours else "musl")))
    env = dict(os.environ)
    cache = env.get("ZIG_GLOBAL_CACHE_DIR") or str(tmp_path / "zig-cache")
    env.setdefault("ZIG_GLOBAL_CACHE_DIR", cache)
    env.setdefault("ZIG_LOCAL_CACHE_DIR", cache)
    args = [ZIG, "cc", "-target", arch + "-linux-musl", "-O2", "-static", "-Wall", "-Werror", "-o", out,
            os.path.join(HERE, "check.c")] + ([SOURCE] if ours else [])
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def run(arch, path, mode):
    prefix = [] if arch == "x86_64" else [QEMU or "qemu-aarch64-static", "-cpu", "neoverse-n1"]
    return subprocess.run(prefix + [path, mode], capture_output=True, text=True, timeout=300)


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
