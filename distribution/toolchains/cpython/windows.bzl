"""cpython_windows_distribution: a static CPython for a Windows target, from PCbuild's file lists, in one action.

The counterpart of distribution.bzl's cpython_static_distribution (configure/make, linux-musl) for
rows of TARGETS with os "windows": distribution/actions/pystatic/distribution/build_cpython_windows.py
compiles PCbuild's projects with the target's zig cc (docs/windows.md). Its own rule and script, so
the Linux distributions' action keys do not depend on it.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "use_cpp_toolchain")
load(":cc_tools.bzl", "EXEC_TOOLS_ATTR", "add_cc_and_deps", "target_cc_tools", "target_row")
load(":distribution.bzl", "cpython_sbom_action")
load(":providers.bzl", "PyStaticDistributionInfo", "StaticDependencyInfo")
load(":transitions.bzl", "build_python_transition", "distribution_transition")

def _impl(ctx):
    tools = target_cc_tools(ctx)
    row = target_row(ctx, tools.triple)
    if row.os != "windows":
        fail(("{}: builds CPython for windows targets; the C toolchain targets '{}'. Fix: build with " +
              "--platforms=@rules_pystatic//platforms:windows_x86_64 (the Linux distributions are cpython_3_13, ...).").format(
            ctx.label,
            tools.triple,
        ))
    build_python = ctx.attr.build_python[0][PyStaticDistributionInfo]
    x_y = ctx.attr.python_version.rpartition(".")[0]
    if build_python.python_version.rpartition(".")[0] != x_y or build_python.abiflags:
        fail("{}: build_python is Python {}{}, the source is {}: freezing modules needs the same X.Y, not free-threaded.".format(
            ctx.label,
            build_python.python_version,
            build_python.abiflags,
            ctx.attr.python_version,
        ))
    deps = [d[StaticDependencyInfo] for d in ctx.attr.deps]
    dist = ctx.actions.declare_directory(ctx.label.name + "_dist")
    exe = ctx.actions.declare_file(ctx.label.name + "/python.exe")
    descriptor = ctx.actions.declare_file(ctx.label.name + ".json")
    log = ctx.actions.declare_file(ctx.label.name + ".build.log")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--source", ctx.file.source)
    args.add("--version", ctx.attr.python_version)
    args.add("--build-python", build_python.distribution.path + "/bin/python" + x_y)
    add_cc_and_deps(args, tools, deps, ctx.attr.jobs)
    args.add("--output", dist.path)
    args.add("--exe", exe)
    args.add("--target", tools.triple)
    args.add_all(row.system_libraries, before_each = "--system_library")
    args.add("--descriptor", descriptor)
    args.add("--log", log)
    ctx.actions.run(
        executable = ctx.executable._build,
        arguments = [args],
        inputs = depset(
            [ctx.file.source, ctx.file._exec_tools, build_python.distribution] + [d.prefix for d in deps] + [d.origin for d in deps],
            transitive = [tools.files],
        ),
        outputs = [dist, exe, descriptor, log],
        env = tools.env,
        mnemonic = "PyStaticCPythonWindows",
        progress_message = "Building static CPython {} for {} (PCbuild's file lists, zig cc) %{{label}}".format(
            ctx.attr.python_version,
            tools.triple,
        ),
    )
    return [
        DefaultInfo(files = depset([exe, dist, descriptor]), executable = exe),
        OutputGroupInfo(build_log = depset([log])),
        # What py_static_binary's runtime toolchain for Windows reads (toolchains/cpython/runtime.bzl).
        PyStaticDistributionInfo(
            abiflags = "",
            cpython_sbom = cpython_sbom_action(ctx),
            deps = deps,
            descriptor = descriptor,
            distribution = dist,
            python_version = ctx.attr.python_version,
            source = ctx.file.source,
            target_triple = tools.triple,
        ),
    ]

cpython_windows_distribution = rule(
    implementation = _impl,
    cfg = distribution_transition,
    executable = True,
    doc = "A static CPython for a windows row of TARGETS: libpython, the C libraries' archives, headers, python.exe and its descriptor.",
    attrs = {
        "_exec_tools": EXEC_TOOLS_ATTR,
        "build_python": attr.label(
            mandatory = True,
            cfg = build_python_transition,
            providers = [PyStaticDistributionInfo],
            doc = "The same X.Y built for the build machine (x86_64 linux-musl): it freezes the start-up modules.",
        ),
        "deps": attr.label_list(providers = [StaticDependencyInfo], doc = "C libraries of extension modules."),
        "jobs": attr.int(default = 2, doc = "Parallel compiles; part of the action key, so fixed."),
        "python_version": attr.string(mandatory = True, doc = "Full version of the source, e.g. 3.13.15."),
        "source": attr.label(mandatory = True, allow_single_file = [".tar.xz", ".tgz", ".tar.gz"]),
        "_build": attr.label(default = "//actions:build_cpython_windows", executable = True, cfg = "exec"),
        "_sbom": attr.label(default = "//actions:cpython_sbom", executable = True, cfg = "exec"),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
    },
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain(),
)
