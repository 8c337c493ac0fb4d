"""pystatic_sdist_package: a locked package built from its sdist by its own PEP 517 backend, as built-ins.

The repository rule (wheels_repository.bzl) writes one per package and target platform for the
packages of `pystatic.wheels(build_from_source = [...])` (docs/extensions.md). The action
(PyStaticSdist, actions/pystatic/packages/build_sdist.py) runs under the build-machine interpreter of the
target's Python version, with the target's hermetic C toolchain and headers; a py_static_binary
that depends on the target (directly or through other wheels) links the static archive and
registers each extension under its dotted name in the inittab.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "use_cpp_toolchain")
load("@pystatic_distribution//toolchains/cpython:cc_tools.bzl", "BUILD_CC_TOOLCHAIN_ATTR", "build_cc_tools", "target_cc_tools", "target_row")
load("@pystatic_distribution//toolchains/cpython:providers.bzl", "StaticDependencyInfo")
load("//toolchains/cpython:runtime.bzl", "build_python_action", "package_files")
load("//toolchains/cpython:runtime_info.bzl", "RUNTIME_TOOLCHAIN_TYPE", "runtime_of")
load(":providers.bzl", "PyStaticSdistInfo", "PyStaticWheelCheckInfo")

def _pystatic_sdist_package_impl(ctx):
    runtime = runtime_of(ctx)
    dist = runtime.distribution
    build_dist = runtime.build_distribution
    tools = target_cc_tools(ctx)
    row = target_row(ctx, tools.triple)
    site = ctx.actions.declare_directory(ctx.label.name + "/site")
    archive = ctx.actions.declare_file(ctx.label.name + "/lib{}_builtins.a".format(ctx.attr.package.replace("-", "_").replace(".", "_")))
    builtins = ctx.actions.declare_file(ctx.label.name + "/builtins.json")
    log = ctx.actions.declare_file(ctx.label.name + "/sdist.log")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--target", str(ctx.label))
    args.add("--package", ctx.attr.package)
    args.add("--version", ctx.attr.version)
    args.add("--sdist", ctx.file.sdist)
    args.add("--target_dist", dist.distribution.path)

    # A backend's view of the target (setuptools' sysconfig): the target's own build variables on
    # Linux; Windows' CPython has none (PCbuild), so the build machine's, whose compiler and flags
    # build_sdist.py replaces with the target's anyway.
    args.add("--sysconfig_dist", (build_dist if row.os == "windows" else dist).distribution.path)
    args.add("--target_os", row.os)
    args.add("--triple", tools.triple)
    args.add("--meson_cpu_family", row.meson_cpu_family)
    args.add("--cc", tools.cc)
    args.add("--ar", tools.ar)

    # meson's compiler for the build machine: the hermetic x86_64 musl toolchain, never the worker's cc.
    build_tools = build_cc_tools(ctx)
    args.add("--build_cc", build_tools.cc)
    tool_files = [tools.files] if build_tools.triple == tools.triple else [tools.files, build_tools.files]
    args.add_all(ctx.attr.copts, before_each = "--copt")
    args.add_all(["{}={}".format(k, v) for k, v in sorted(ctx.attr.env.items())], before_each = "--env")
    args.add_all(ctx.files.build_tools, before_each = "--build_wheel")
    natives = [lib[StaticDependencyInfo] for lib in ctx.attr.native_libraries]
    for lib in natives:
        args.add("--native_library", "{}={}".format(lib.name, lib.prefix.path))

    # The distribution's own libraries (libffi, zlib, OpenSSL, ...): headers and pkg-config files for
    # the backend; the binary links their archives already, so the package's archive takes none.
    for lib in dist.deps:
        args.add("--distribution_library", "{}={}".format(lib.name, lib.prefix.path))
    if ctx.file.fallback_wheel:
        args.add("--fallback_wheel", ctx.file.fallback_wheel)

    # zig's C++ runtime for the target, built once: C++ links use it instead of building their own.
    args.add_all(ctx.files._cxx_runtime, before_each = "--cxx_runtime_archive")
    args.add("--site", site.path)
    args.add("--archive", archive)
    args.add("--builtins", builtins)
    args.add("--log", log)
    build_python_action(
        ctx,
        build_dist,
        script = ctx.file._build_sdist,
        tool_files = package_files(ctx.attr._build_sdist_package),
        arguments = [args],
        inputs = [dist.distribution, ctx.file.sdist] + ctx.files.build_tools + ctx.files.fallback_wheel + ctx.files._cxx_runtime +
                 [lib.prefix for lib in natives] + [lib.prefix for lib in dist.deps],
        transitive_inputs = tool_files,
        env = dict(tools.env, **build_tools.env),
        outputs = [site, archive, builtins, log],
        mnemonic = "PyStaticSdist",
        progress_message = "Building {} {} from its sdist for {} %{{label}}".format(ctx.attr.package, ctx.attr.version, tools.triple),
    )
    deps_info = [dep[PyInfo] for dep in ctx.attr.deps]
    workspace = ctx.label.workspace_name or ctx.workspace_name
    import_root = (ctx.label.package + "/" if ctx.label.package else "") + ctx.label.name + "/site"
    own = struct(package = ctx.attr.package, archive = archive, builtins = builtins)
    transitive = [dep[PyStaticSdistInfo].builds for dep in ctx.attr.deps if PyStaticSdistInfo in dep]
    return [
        DefaultInfo(
            files = depset([site, log]),
            runfiles = ctx.runfiles().merge_all([dep[DefaultInfo].default_runfiles for dep in ctx.attr.deps]),
        ),
        PyInfo(
            # The site directory holds the built wheel's .py files, data and .dist-info.
            transitive_sources = depset([site], transitive = [info.transitive_sources for info in deps_info]),
            imports = depset([workspace + "/" + import_root], transitive = [info.imports for info in deps_info]),
        ),
        PyStaticSdistInfo(builds = depset([own], transitive = transitive)),
        PyStaticWheelCheckInfo(
            left_out = depset(transitive = [dep[PyStaticWheelCheckInfo].left_out for dep in ctx.attr.deps if PyStaticWheelCheckInfo in dep]),
            natives = depset(transitive = [dep[PyStaticWheelCheckInfo].natives for dep in ctx.attr.deps if PyStaticWheelCheckInfo in dep]),
        ),
        OutputGroupInfo(sdist_log = depset([log])),
    ]

pystatic_sdist_package = rule(
    implementation = _pystatic_sdist_package_impl,
    doc = "A locked package built from its sdist by its own PEP 517 backend; its extensions become built-ins.",
    attrs = {
        "build_tools": attr.label_list(allow_files = [".whl"], doc = "Wheels of the build environment (the ruleset's build lock)."),
        "copts": attr.string_list(doc = "Extra C compiler flags."),
        "deps": attr.label_list(providers = [PyInfo], doc = "Requires-Dist of the package, for this platform."),
        "env": attr.string_dict(doc = "Environment variables for the backend."),
        "fallback_wheel": attr.label(allow_single_file = [".whl"], doc = "A pure-Python wheel of the same version, used when the build fails."),
        "native_libraries": attr.label_list(
            providers = [StaticDependencyInfo],
            doc = "C libraries the package links (//native_libraries, sources.json `native`): headers and archives for its backend.",
        ),
        "package": attr.string(mandatory = True),
        "sdist": attr.label(mandatory = True, allow_single_file = [".tar.gz", ".zip", ".tgz"]),
        "version": attr.string(mandatory = True),
        "_build_cc_toolchain": BUILD_CC_TOOLCHAIN_ATTR,
        "_build_sdist": attr.label(default = "//actions:pystatic/packages/build_sdist.py", allow_single_file = True),
        "_build_sdist_package": attr.label(default = "//actions:packages.build_sdist", providers = [PyInfo]),
        "_cxx_runtime": attr.label(
            default = "@pystatic_distribution//toolchains/zig:cxx_runtime",
            doc = "zig's libc++abi, libc++ and libunwind for the target platform (distribution/toolchains/zig/runtime.bzl).",
        ),
    },
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain() + [RUNTIME_TOOLCHAIN_TYPE],
)
