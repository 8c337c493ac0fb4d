"""zig_sdk: zig from the pinned `ziglang` wheel, fetched with pip, plus per-target cc wrappers."""

load(":versions.bzl", "ZIG_CACHE_DIR", "ZIG_TARGETS", "ZIG_VERSION", "ZIG_WHEELS")

# zig's cache, in both wrappers: the shared {cache} where this action may write it (no sandbox, or
# Bazel's sandbox given --sandbox_writable_path={cache}), else one in the action's own temporary
# directory. The outputs are the same (stripped executables; docs/toolchains.md); without the shared
# cache each action that links builds zig's musl libc again (about 30 s), so the flag is a speed-up,
# never needed for a correct build.
_CACHE = """\
cache="{cache}"
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
    cache="${{TMPDIR:-/tmp}}/rules_pystatic-zig-cache"
    mkdir -p "$cache"
fi
export ZIG_GLOBAL_CACHE_DIR="$cache" ZIG_LOCAL_CACHE_DIR="$cache"
"""

# zig names its headers by its lib dir. A copy at a path keyed by zig's version and sha256 gives
# the same names (in .d files and debug info) on every machine, so cached outputs from elsewhere
# stay valid. The copy is made once (by the repository rule, outside the sandbox) and never changed
# (a link re-pointed between output bases could dangle mid-build when one of them is deleted).
_LIB_COPY = """\
stable="{lib_copy}"
if [ ! -e "$stable/.complete" ]; then
    if ! mkdir -p "{cache}" 2>/dev/null || [ ! -w "{cache}" ]; then
        echo "rules_pystatic: zig's headers are missing at $stable and {cache} is not writable here" \\
            "(Bazel's sandbox). Fix: add 'build --sandbox_writable_path={cache}' to .bazelrc, or fetch" \\
            "zig again ('bazel clean --expunge'): either copies them." >&2
        exit 1
    fi
    [ -L "$stable" ] && rm -f "$stable"
    tmp=$(mktemp -d "{cache}/.zig-lib.XXXXXX") && chmod 755 "$tmp"
    cp -R "$zig_home/lib" "$tmp/lib" && touch "$tmp/.complete"
    mv -T "$tmp" "$stable" 2>/dev/null || rm -rf "$tmp"  # lost the race: another copy is in place
fi
"""

_WRAPPER = """#!/bin/sh
# zig {version} (ziglang wheel sha256 {sha256}) for {target}.
# This text is an input of every C action, so a new zig invalidates cached outputs.
set -eu
zig_home=$(dirname "$(dirname "$(readlink -f "$0")")")/ziglang
""" + _CACHE + _LIB_COPY + """\
export ZIG_LIB_DIR="$stable/lib"
exec "$zig_home/zig" {tool} {target_flags}-ffile-prefix-map="$PWD"=. "$@"
"""

_AR = """#!/bin/sh
# zig {version} (ziglang wheel sha256 {sha256}) archiver.
set -eu
""" + _CACHE + """\
exec "$(dirname "$(dirname "$(readlink -f "$0")")")/ziglang/zig" ar "$@"
"""

# Run by the repository rule: the header copy is made where no sandbox is in the way.
_COPY_LIB = """#!/bin/sh
set -eu
zig_home="$1"
""" + _LIB_COPY

_BUILD = """\
load("@pystatic_distribution//toolchains:cc_toolchain_with_files.bzl", "cc_toolchain_with_files")
load("@pystatic_distribution//toolchains/zig:cc_toolchain_config.bzl", "zig_cc_toolchain_config")

package(default_visibility = ["//visibility:public"])

# musl's exported-symbol list (the names libc.so exports, with #ifdefs per architecture): the
# broad export table of a py_static_interpreter serves these names to shared objects on disk.
exports_files([
    "version.txt",
    "ziglang/lib/libc/musl/libc.S",
])

filegroup(
    name = "zig",
    srcs = ["ziglang/zig"],
)
{toolchains}
"""

_TOOLCHAIN = """
filegroup(
    name = "{target}_files",
    srcs = [
        "bin/ar",
        "bin/cc-{target}",
        ":zig",
    ],
)

zig_cc_toolchain_config(
    name = "{target}_config",
    builtin_include_directories = ["{zig_lib}"],
    cc = "bin/cc-{target}",
    ar = "bin/ar",
    cpu = "{cpu}",
    target = "{target}",
    zig_version = "{version}",
)

cc_toolchain_with_files(
    name = "cc_{target}",
    files = ":{target}_files",
    supports_param_files = True,
    toolchain_config = ":{target}_config",
)
"""

def _host_key(rctx):
    os = "windows" if rctx.os.name.lower().startswith("windows") else rctx.os.name.lower().replace("mac os x", "macos")
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(rctx.os.arch, rctx.os.arch)
    return "{}-{}".format(os, arch)

def _fetch_wheel(rctx, wheel):
    """pip downloads the pinned wheel; --require-hashes makes pip check its sha256."""
    python = rctx.which("python3") or rctx.which("python")
    if not python:
        fail("rules_pystatic: fetching zig needs python3 with pip on PATH (the pip client fetches the " +
             "`ziglang` wheel from whatever index pip is configured for). Fix: install python3 and pip.")
    rctx.file("wheel/requirements.txt", "ziglang=={} --hash=sha256:{}\n".format(ZIG_VERSION, wheel.sha256))
    rctx.report_progress("pip download ziglang=={} ({})".format(ZIG_VERSION, wheel.platform_tag))
    result = rctx.execute([
        python,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--platform",
        wheel.platform_tag,
        "--require-hashes",
        "-r",
        "wheel/requirements.txt",
        "-d",
        "wheel",
    ], timeout = 1200, quiet = True)
    if result.return_code != 0:
        fail(("rules_pystatic: could not fetch zig: `pip download ziglang=={}` for {} failed.\n" +
              "  A hash mismatch means the index serves a different file than the sha256 pinned in " +
              "@pystatic_distribution//toolchains/zig:versions.bzl.\n  pip said:\n{}").format(
            ZIG_VERSION,
            wheel.platform_tag,
            result.stderr,
        ))
    wheels = [p for p in rctx.path("wheel").readdir() if p.basename.endswith(".whl")]
    if len(wheels) != 1:
        fail("rules_pystatic: expected one ziglang wheel from pip, got {}".format(wheels))
    return wheels[0]

def _zig_sdk_impl(rctx):
    host = _host_key(rctx)
    wheel = ZIG_WHEELS.get(host)
    if not wheel:
        fail("rules_pystatic: no ziglang wheel is pinned for build machines of type {}; pinned: {}. ".format(
            host,
            ", ".join(sorted(ZIG_WHEELS)),
        ) + "Fix: add one to @pystatic_distribution//toolchains/zig:versions.bzl.")
    whl = _fetch_wheel(rctx, wheel)
    rctx.report_progress("extracting zig {}".format(ZIG_VERSION))
    rctx.symlink(whl, "wheel/ziglang.zip")  # extract() goes by the file name's suffix
    rctx.extract("wheel/ziglang.zip", output = ".")
    rctx.delete("wheel")
    rctx.delete("ziglang-{}.dist-info".format(ZIG_VERSION))
    result = rctx.execute(["ziglang/zig", "version"])
    if result.return_code != 0 or result.stdout.strip() != ZIG_VERSION:
        fail("rules_pystatic: extracted zig does not run or is not {}: {}{}".format(ZIG_VERSION, result.stdout, result.stderr))
    lib_copy = "{}/zig-{}-{}".format(ZIG_CACHE_DIR, ZIG_VERSION, wheel.sha256[:12])
    fmt = dict(version = ZIG_VERSION, sha256 = wheel.sha256, cache = ZIG_CACHE_DIR, lib_copy = lib_copy)

    # The header copy, here and not in the first action: actions may not write the cache (no
    # --sandbox_writable_path).
    rctx.file("copy_lib.sh", _COPY_LIB.format(**fmt), executable = True)
    copied = rctx.execute(["./copy_lib.sh", str(rctx.path("ziglang"))])
    if copied.return_code != 0:
        fail("rules_pystatic: could not copy zig's headers to {}: {}{}Fix: make {} writable.".format(
            lib_copy,
            copied.stdout,
            copied.stderr,
            ZIG_CACHE_DIR,
        ))
    rctx.delete("copy_lib.sh")
    rctx.file("bin/ar", _AR.format(**fmt), executable = True)
    toolchains = []
    for target, cpu in sorted(ZIG_TARGETS.items()):
        rctx.file(
            "bin/cc-" + target,
            _WRAPPER.format(tool = "cc", target = target, target_flags = "-target {} ".format(target), **fmt),
            executable = True,
        )
        toolchains.append(_TOOLCHAIN.format(
            target = target,
            cpu = cpu,
            version = ZIG_VERSION,
            # zig's own headers, named through the keyed copy; not action inputs (19k files).
            zig_lib = lib_copy + "/lib",
        ))
    rctx.file("version.txt", ZIG_VERSION + "\n")
    rctx.file("BUILD.bazel", _BUILD.format(toolchains = "".join(toolchains)))

zig_sdk = repository_rule(
    implementation = _zig_sdk_impl,
    doc = "zig {} from the pinned `ziglang` wheel (via pip), with cc toolchains for {}.".format(
        ZIG_VERSION,
        ", ".join(sorted(ZIG_TARGETS)),
    ),
    environ = ["PATH", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"],
)
