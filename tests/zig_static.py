"""Static test programs linked with zig's libc as every binary is (tests/libc_string, tests/libc_thread),
run natively on x86_64 and under qemu-aarch64-static on aarch64."""

import os
import shutil
import subprocess

QEMU = shutil.which("qemu-aarch64-static")


def build(zig, tmp_path, arch, name, sources, flags=()):
    """Links `sources` for <arch>-linux-musl with -O2 -static into tmp_path/name; asserts it compiled."""
    out = str(tmp_path / name)
    env = dict(os.environ)
    cache = env.get("ZIG_GLOBAL_CACHE_DIR") or str(tmp_path / "zig-cache")
    env.setdefault("ZIG_GLOBAL_CACHE_DIR", cache)
    env.setdefault("ZIG_LOCAL_CACHE_DIR", cache)
    args = [zig, "cc", "-target", arch + "-linux-musl", "-O2", "-static", *flags, "-o", out, *sources]
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def run(arch, argv):
    prefix = [] if arch == "x86_64" else [QEMU or "qemu-aarch64-static", "-cpu", "neoverse-n1"]
    return subprocess.run(prefix + list(argv), capture_output=True, text=True, timeout=300)
