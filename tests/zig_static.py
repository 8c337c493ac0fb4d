"""Static test programs linked with zig's libc as every binary is (tests/libc_string, tests/libc_thread),
run natively on x86_64 and under qemu-aarch64-static on aarch64."""

import os
import shutil
import subprocess

QEMU = shutil.which("qemu-aarch64-static")

# One zig cache for every test that runs zig outside Bazel (tests/actions, tests/native_loader,
# tests/libc_string, tests/libc_thread): zig builds its musl libc once per CPU (about 40 s each)
# instead of once per test program. Bazel's actions never use it (docs/toolchains.md).
TEST_ZIG_CACHE = "/var/tmp/rules_pystatic-zig-cache"


def zig_env():
    """os.environ with ZIG_GLOBAL_CACHE_DIR and ZIG_LOCAL_CACHE_DIR set to the tests' shared cache
    (unless already set), in TMPDIR when /var/tmp is not writable."""
    env = dict(os.environ)
    shared = TEST_ZIG_CACHE if os.access(os.path.dirname(TEST_ZIG_CACHE), os.W_OK) else None
    cache = env.get("ZIG_GLOBAL_CACHE_DIR") or shared or os.path.join(env.get("TMPDIR", "/tmp"), "pystatic-test-zig-cache")
    env.setdefault("ZIG_GLOBAL_CACHE_DIR", cache)
    env.setdefault("ZIG_LOCAL_CACHE_DIR", cache)
    return env


def build(zig, tmp_path, arch, name, sources, flags=()):
    """Links `sources` for <arch>-linux-musl with -O2 -static into tmp_path/name; asserts it compiled."""
    out = str(tmp_path / name)
    env = zig_env()
    args = [zig, "cc", "-target", arch + "-linux-musl", "-O2", "-static", *flags, "-o", out, *sources]
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def run(arch, argv):
    prefix = [] if arch == "x86_64" else [QEMU or "qemu-aarch64-static", "-cpu", "neoverse-n1"]
    return subprocess.run(prefix + list(argv), capture_output=True, text=True, timeout=300)
