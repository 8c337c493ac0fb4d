"""Static test programs linked with zig's libc as every binary is (tests/libc_string, tests/libc_thread),
run natively on x86_64 and under qemu-aarch64-static on aarch64."""

import os
import shutil
import subprocess

QEMU = shutil.which("qemu-aarch64-static")

# One zig cache for every test that runs zig outside Bazel (tests/actions, tests/native_loader,
# tests/libc_string, tests/libc_thread): zig builds its musl libc once per CPU (about 40 s each)
# instead of once per test program, unless tools/test gave the tests Bazel's prebuilt runtimes
# (static_cc, cxx_runtime). Bazel's actions never use it (docs/toolchains.md).
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


def runtime_variable(triple, cxx=False):
    """The variable naming the Bazel-built zig runtime of `triple` (the toolchain wrapper's
    PYSTATIC_ZIG_RUNTIME_<target>; PYSTATIC_ZIG_CXX_RUNTIME_<target> for its C++ runtime)."""
    return "PYSTATIC_ZIG_%sRUNTIME_%s" % ("CXX_" if cxx else "", triple.replace("-", "_"))


def static_cc(zig, arch):
    """The command that links a static program for <arch>-linux-musl.

    When tools/test has built the target's zig runtime with Bazel (its libc, UBSan's runtime and
    compiler_rt: $PYSTATIC_ZIG_RUNTIME_<target>), the toolchain's own wrapper links against it;
    else zig cc builds them in the tests' cache (about 40 s per CPU on a cold cache)."""
    triple = arch + "-linux-musl"
    if not os.environ.get(runtime_variable(triple)):
        return [zig, "cc", "-target", triple]
    # zig is <the zig repository>/ziglang/zig; the wrapper is beside it (bin/cc-<target>).
    wrapper = os.path.join(os.path.dirname(os.path.dirname(zig)), "bin", "cc-" + triple)
    assert os.access(wrapper, os.X_OK), f"{runtime_variable(triple)} is set, but {zig} has no toolchain wrapper {wrapper}"
    return [wrapper]


def cxx_runtime(arch):
    """The Bazel-built C++ runtime's directory (libc++abi.a, libc++.a, libunwind.a), or None."""
    return os.environ.get(runtime_variable(arch + "-linux-musl", cxx=True)) or None


def build(zig, tmp_path, arch, name, sources, flags=()):
    """Links `sources` for <arch>-linux-musl with -O2 -static into tmp_path/name; asserts it compiled."""
    out = str(tmp_path / name)
    env = zig_env()
    # Compiled first: a link that also compiles puts the sources' objects after the wrapper's
    # prebuilt libc.a, whose members then clash with the routines the sources replace.
    objects = []
    for index, source in enumerate(sources):
        objects.append(str(tmp_path / f"{name}.{index}.o"))
        compile_args = [zig, "cc", "-target", arch + "-linux-musl", "-O2", *flags, "-c", "-o", objects[-1], source]
        result = subprocess.run(compile_args, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    args = [*static_cc(zig, arch), "-O2", "-static", *flags, "-o", out, *objects]
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def run(arch, argv):
    prefix = [] if arch == "x86_64" else [QEMU or "qemu-aarch64-static", "-cpu", "neoverse-n1"]
    return subprocess.run(prefix + list(argv), capture_output=True, text=True, timeout=300)
