"""zig_sdk: zig from the pinned `ziglang` wheel, fetched with pip, plus per-target cc wrappers."""

load(":runtime.bzl", "zig_runtime_files")
load(":versions.bzl", "ZIG_TARGETS", "ZIG_VERSION", "ZIG_WHEELS")

# zig's caches: private to the action. The caller's ZIG_GLOBAL_CACHE_DIR if it set one (an action that
# shares one cache between its own compiles, e.g. an sdist build), else a fresh directory in the
# action's $TMPDIR, deleted when zig exits. No state outside the action's inputs: objects do not depend
# on the cache's path (docs/toolchains.md). zig's own libraries (musl libc, zig's libc parts,
# compiler_rt) are an action output per target (zig_runtime, linked below), not rebuilt per link.
_CACHE = """\
own_cache=
if [ -z "${{ZIG_GLOBAL_CACHE_DIR:-}}" ]; then
    own_cache=$(mktemp -d "${{TMPDIR:-/tmp}}/pystatic-zig.XXXXXX")
    export ZIG_GLOBAL_CACHE_DIR="$own_cache"
fi
export ZIG_LOCAL_CACHE_DIR="${{ZIG_LOCAL_CACHE_DIR:-$ZIG_GLOBAL_CACHE_DIR}}"
"""

# zig's lib/ is an input of every action (the toolchain's file groups). Run from the execution root
# (Bazel's C actions), zig is given it by its execroot-relative path, so .d files and debug info name
# `external/<repo>/ziglang/lib/...` on every machine and worker. From elsewhere (configure/make in a
# scratch directory, through a link to this file) by its real path, mapped to the same name.
_LIB = """\
lib="{lib_rel}"
prefix_map=
if [ ! -d "$lib" ]; then
    lib="$zig_home/lib"
    prefix_map="-ffile-prefix-map=$lib={lib_rel}"
fi
if [ ! -f "$lib/include/stddef.h" ]; then
    echo "rules_pystatic: zig's lib/ is not an input of this action ($lib). Fix: give the action the" \\
        "C toolchain's files (cc_toolchain.all_files), which hold it." >&2
    exit 1
fi
export ZIG_LIB_DIR="$lib"
"""

# Links (no -c/-S/-E/-M/-MM, an input file or a response file) use the prebuilt runtime of
# $PYSTATIC_ZIG_RUNTIME_<target> (one variable per target: a cross build runs two wrappers): `-nostdlib` (zig builds nothing), the target's libc headers by hand (-nostdlib
# drops them; for a compile and link in one command, e.g. configure's tests), crt1.o first and the
# archives last. musl's library names (-lm, -lpthread, ...) are dropped: libc.a holds them, and zig
# would take them as a request to build libc. C++ (-lc++), shared, relocatable and
# -nostdlib/-nostartfiles links keep zig's own handling (it builds what they need in the action's cache).
_LINK = """\
link=
runtime="${{PYSTATIC_ZIG_RUNTIME_{target_var}:-}}"
not_ours='^(-c|-S|-E|-M|-MM|-fsyntax-only|-shared|-r|-Wl,-r|-nostdlib|-nostartfiles|-nodefaultlibs|-lc\\+\\+|-lstdc\\+\\+{not_ours_extra})$'
musl_libs='^(-lc|-lm|-lpthread|-ldl|-lrt|-lutil|-lxnet|-lresolv|-lcrypt)$'
if [ -n "$runtime" ]; then
    for arg do
        case "$arg" in
            -c|-S|-E|-M|-MM|-fsyntax-only|-shared|-r|-Wl,-r|-nostdlib|-nostartfiles|-nodefaultlibs|-lc++|-lstdc++|-dumpmachine|-dumpversion|-print-*|--print-*|--version{not_ours_extra})
                link=; break ;;
            @*) if grep -q -E -x -e "$not_ours" "${{arg#@}}"; then link=; break; fi; link=1 ;;
            *.o|*.a|*.c|*.s|*.S|*.lo|*.so{inputs_extra}) link=1 ;;
        esac
    done
fi
if [ -n "$link" ]; then
    for arg do
        shift
        case "$arg" in
            -lc|-lm|-lpthread|-ldl|-lrt|-lutil|-lxnet|-lresolv|-lcrypt) ;;
            @*)
                params=$(mktemp "$ZIG_GLOBAL_CACHE_DIR/params.XXXXXX")
                grep -v -E -x -e "$musl_libs" "${{arg#@}}" >"$params" || true
                set -- "$@" "@$params" ;;
            *) set -- "$@" "$arg" ;;
        esac
    done
fi
"""

# windows-gnu links: .obj/.lib inputs count too; GUI and DLL links (-mwindows, -mdll) keep zig's own
# handling; a program with wmain (-municode) gets mingw-w64's crt2u.obj, whose mainCRTStartup calls
# wmain. zig names the entry itself only when it links the CRT, so -nostdlib links name it.
_WINDOWS_LINK = dict(
    not_ours_extra = "|-mwindows|-mdll",
    inputs_extra = "|*.obj|*.lib",
    link_extra = """\
crt=crt2.obj
if [ -n "$link" ]; then
    for arg do
        case "$arg" in
            -municode) crt=crt2u.obj ;;
            @*) if grep -q -x -e -municode "${arg#@}"; then crt=crt2u.obj; fi ;;
        esac
    done
fi
# zig's clang writes CodeView's object name (S_OBJNAME) into every COFF object, also at -g0: the
# temporary path it compiles to, a random name, so no two builds of an archive were identical. A
# fixed name instead, for compiles (-c) only (-fsyntax-only refuses it).
object_name=
for arg do
    case "$arg" in
        -c) object_name="-Xclang -object-file-name=pystatic.obj" ;;
        @*) if grep -q -x -e -c "${arg#@}"; then object_name="-Xclang -object-file-name=pystatic.obj"; fi ;;
    esac
done
""",
    compile_extra = "$object_name ",
    runtime_startup = '-Wl,--entry=mainCRTStartup "$runtime/$crt"',
)

_WRAPPER = """#!/bin/sh
# zig {version} (ziglang wheel sha256 {sha256}) for {target}.
# This text is an input of every C action, so a new zig invalidates cached outputs.
set -eu
zig_home=$(dirname "$(dirname "$(readlink -f "$0")")")/ziglang
""" + _CACHE + _LIB + _LINK + """{link_extra}\
set +e
if [ -n "$link" ]; then
    "$zig_home/zig" {tool} {target_flags}-ffile-prefix-map="$PWD"=. $prefix_map -nostdlib \\
        {libc_includes} {runtime_startup} "$@" \\
        {runtime_libraries}
else
    "$zig_home/zig" {tool} {target_flags}-ffile-prefix-map="$PWD"=. $prefix_map {compile_extra}"$@"
fi
status=$?
[ -z "$own_cache" ] || rm -rf "$own_cache"
exit $status
"""

_AR = """#!/bin/sh
# zig {version} (ziglang wheel sha256 {sha256}) archiver.
set -eu
zig_home=$(dirname "$(dirname "$(readlink -f "$0")")")/ziglang
""" + _CACHE + """\
set +e
"$zig_home/zig" ar "$@"
status=$?
[ -z "$own_cache" ] || rm -rf "$own_cache"
exit $status
"""

_BUILD = """\
load("@pystatic_distribution//toolchains:cc_toolchain_with_files.bzl", "cc_toolchain_with_files")
load("@pystatic_distribution//toolchains/zig:cc_toolchain_config.bzl", "zig_cc_toolchain_config")
load("@pystatic_distribution//toolchains/zig:runtime.bzl", "zig_runtime")

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

# zig's lib/ as every zig action needs it (clang's headers, musl's and zig's libc sources, compiler_rt,
# zig's std that builds it, libc++): all of it but other targets' libc headers and sources (of 19k
# files, 16k are other targets' libcs) and what zig cc never reads.
filegroup(
    name = "lib_common",
    srcs = glob(
        ["ziglang/lib/**"],
        exclude = [
            "ziglang/lib/libc/include/**",
            "ziglang/lib/libc/darwin/**",
            "ziglang/lib/libc/freebsd/**",
            "ziglang/lib/libc/glibc/**",
            "ziglang/lib/libc/mingw/**",
            "ziglang/lib/libc/netbsd/**",
            "ziglang/lib/libc/openbsd/**",
            "ziglang/lib/libc/wasi/**",
            "ziglang/lib/libtsan/**",
            "ziglang/lib/docs/**",
            "ziglang/lib/init/**",
            "ziglang/lib/build-web/**",
        ],
    ),
)
{toolchains}
"""

_TOOLCHAIN = """
# zig's libc headers for {target} (the directories `zig cc -target {target}` searches){extra_lib_doc}.
filegroup(
    name = "lib_{target}",
    srcs = [":lib_common"] + glob([{libc_include_globs}]),
)
{runtime_rule}
filegroup(
    name = "{target}_files",
    srcs = [
        "bin/ar",
        "bin/cc-{target}",
        ":lib_{target}",{runtime_files}
        ":zig",
    ],
)

# What a compile reads: the wrapper, zig and the headers it searches; not the sources of libc,
# compiler_rt and libc++, which links and the runtime's action use (remote workers stage every
# input file of every compile: about 2,600 instead of 5,000).
filegroup(
    name = "{target}_compile_files",
    srcs = [
        "bin/cc-{target}",
        ":zig",
    ] + glob([{header_globs}]),
)

zig_cc_toolchain_config(
    name = "{target}_config",
    builtin_include_directories = [{builtin_dirs}],
    cc = "bin/cc-{target}",
    ar = "bin/ar",
    cpu = "{cpu}",{runtime_attr}
    target = "{target}",
    zig_version = "{version}",
)

cc_toolchain_with_files(
    name = "cc_{target}",
    compile_files = ":{target}_compile_files",
    files = ":{target}_files",
    supports_param_files = True,
    toolchain_config = ":{target}_config",
)
"""

_RUNTIME = """
# {what} for {target}, built once as an action: links use these
# (the wrapper's $PYSTATIC_ZIG_RUNTIME) instead of building them in a cache.
zig_runtime(
    name = "runtime_{target}",
    lib = ":lib_{target}",
    target = "{target}",
    zig = "ziglang/zig",
)
"""

_CXX_RUNTIME = """
# Its C++ runtime (libc++abi, libc++, libunwind), built once for the sdist builds that link C++.
zig_runtime(
    name = "cxx_runtime_{target}",
    cxx = True,
    lib = ":lib_{target}",
    target = "{target}",
    zig = "ziglang/zig",
)
"""

def zig_runtime_target(target):
    """Whether links for `target` use a prebuilt zig_runtime: linux-musl and windows-gnu targets.

    windows-gnu's runtime is mingw-w64's CRT and the default import libraries; a link's other -l
    names get their import library from lib/libc/mingw's .def files, an input, in the link.

    Args:
      target: a zig target triple.

    Returns:
      True for linux-musl and windows-gnu targets.
    """
    return target.endswith(("-linux-musl", "-windows-gnu"))

def zig_cxx_runtime_target(target):
    """Whether `target` has a prebuilt C++ runtime (linux-musl: sdist builds link C++; not windows-gnu).

    Args:
      target: a zig target triple.

    Returns:
      True for linux-musl targets.
    """
    return target.endswith("-linux-musl")

def _link_pieces(target):
    """The wrapper's per-target parts of a link with the prebuilt runtime (zig_runtime_files' names)."""
    files = zig_runtime_files(target)
    libraries = " ".join(['"$runtime/{}"'.format(name) for name in files.libraries])
    if target.endswith("-windows-gnu"):
        return dict(_WINDOWS_LINK, runtime_libraries = libraries)
    return dict(
        not_ours_extra = "",
        inputs_extra = "",
        link_extra = "",
        compile_extra = "",
        runtime_startup = '"$runtime/{}"'.format(files.startup[0]),
        runtime_libraries = libraries,
    )

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

# lib/ directories zig searches for headers besides the target's libc ones (clang's, C++'s).
_BUILTIN_DIRS = ["include", "libcxx/include", "libcxxabi/include", "libunwind/include"]

def _libc_include_dirs(rctx, target):
    """The directories of lib/libc/include/ that `zig cc -target <target>` searches, in its order."""
    result = rctx.execute(["ziglang/zig", "cc", "-target", target, "-E", "-v", "-x", "c", "/dev/null", "-o", "/dev/null"])
    marker = "/lib/libc/include/"
    dirs = [line.strip().split(marker)[1] for line in result.stderr.splitlines() if marker in line and line.startswith(" ")]
    if result.return_code != 0 or not dirs:
        fail("rules_pystatic: could not list zig's libc header directories for {}: {}".format(target, result.stderr))
    return dirs

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
    lib_rel = "external/{}/ziglang/lib".format(rctx.name)
    fmt = dict(version = ZIG_VERSION, sha256 = wheel.sha256, lib_rel = lib_rel)
    rctx.file("bin/ar", _AR.format(**fmt), executable = True)
    toolchains = []
    for target, cpu in sorted(ZIG_TARGETS.items()):
        includes = _libc_include_dirs(rctx, target)
        rctx.file(
            "bin/cc-" + target,
            _WRAPPER.format(
                tool = "cc",
                target = target,
                target_flags = "-target {} ".format(target),
                target_var = target.replace("-", "_"),
                libc_includes = " ".join(['-isystem "$lib/libc/include/{}"'.format(d) for d in includes]),
                **dict(fmt, **_link_pieces(target))
            ),
            executable = True,
        )
        runtime = zig_runtime_target(target)
        globs = ['"ziglang/lib/libc/include/{}/**"'.format(d) for d in includes]
        if target.endswith("-windows-gnu"):
            # zig writes the import library of a link's other -l names (ws2_32, ...) from these.
            globs.append('"ziglang/lib/libc/mingw/**"')
        toolchains.append(_TOOLCHAIN.format(
            target = target,
            cpu = cpu,
            version = ZIG_VERSION,
            extra_lib_doc = "; mingw-w64's sources and .def files (import libraries of -l names)" if target.endswith("-windows-gnu") else "",
            runtime_rule = (_RUNTIME.format(
                target = target,
                what = "mingw-w64's CRT, zig's libc parts, compiler_rt and the default import libraries" if target.endswith("-windows-gnu") else "musl libc, zig's libc parts and compiler_rt",
            ) if runtime else "") + (_CXX_RUNTIME.format(target = target) if zig_cxx_runtime_target(target) else ""),
            runtime_files = '\n        ":runtime_{}",'.format(target) if runtime else "",
            runtime_attr = '\n    runtime = ":runtime_{}",'.format(target) if runtime else "",
            libc_include_globs = ", ".join(globs),
            header_globs = ", ".join(['"ziglang/lib/{}/**"'.format(d) for d in _BUILTIN_DIRS] + globs[:len(includes)]),
            # zig names its headers by the execroot-relative lib dir (the wrapper's ZIG_LIB_DIR).
            builtin_dirs = ", ".join(['"{}/{}"'.format(lib_rel, d) for d in _BUILTIN_DIRS + ["libc/include/" + i for i in includes]]),
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
