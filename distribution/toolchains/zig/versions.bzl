"""The pinned zig: the PyPI wheel `ziglang`, one wheel per build-machine platform."""

load("//toolchains:targets.bzl", "TARGETS")

ZIG_VERSION = "0.17.1"

# The musl that zig links into static executables (its lib/libc/musl has no VERSION file): measured
# by printing musl's `__libc_version` from a program built with `zig cc -target x86_64-linux-musl
# -static`. Recorded in each binary's SBOM; check again when upgrading zig.
ZIG_MUSL_VERSION = "1.2.5"

# The LLVM version of the C++ runtime (libc++, libc++abi, libunwind) zig builds from its lib/ for C++
# extensions built from sdists: `_LIBCPP_VERSION 220108` in lib/libcxx/include/__config. Recorded in
# each binary's SBOM that links it; check again when upgrading zig.
ZIG_LIBCXX_VERSION = "22.1.8"

# Keyed by "<os>-<arch>" of the machine that runs the build (repository_ctx.os).
# To upgrade: `pip download --no-deps --only-binary=:all: --platform TAG ziglang==V`, sha256sum.
ZIG_WHEELS = {
    "linux-aarch64": struct(
        platform_tag = "manylinux_2_17_aarch64",
        sha256 = "b7c5f02fccd40f89b999ee16a1f5ddced56e6182370f8affe494bcf8a28cf07e",
    ),
    "linux-x86_64": struct(
        platform_tag = "manylinux_2_12_x86_64",
        sha256 = "ea6cc5d87b033cf0aedfbc8f9549a908cae6c50ac31f1698188fa48a74524b54",
    ),
}

# Target triples zig builds for, and the @platforms cpu of each (distribution/toolchains/targets.bzl).
ZIG_TARGETS = {triple: target.cpu for triple, target in TARGETS.items()}
