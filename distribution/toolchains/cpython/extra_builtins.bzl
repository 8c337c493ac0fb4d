"""cpython_extra_builtins: built-in modules compiled against a built CPython, in their own action.

_curses, _curses_panel and readline (ncurses, libedit) are compiled by
distribution/actions/pystatic/distribution/build_extra_builtins.py from the distribution's own
source archive and headers, not by CPython's configure/make: adding them left the CPython build's
action key (and so every cached CPython build) as it was. The runtime toolchain merges their
archives and binaries add them to their inittab like CPython's own built-ins.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "use_cpp_toolchain")
load(":cc_tools.bzl", "EXEC_TOOLS_ATTR", "musl_cc_tools")
load(":providers.bzl", "PyStaticDistributionInfo", "PyStaticExtraBuiltinsInfo", "StaticDependencyInfo")
load(":transitions.bzl", "distribution_transition")

def _cpython_extra_builtins_impl(ctx):
    tools = musl_cc_tools(ctx)
    dist = ctx.attr.distribution[PyStaticDistributionInfo]
    if dist.target_triple != tools.triple:
        fail("{}: the distribution is built for {}, this C toolchain targets {}.".format(ctx.label, dist.target_triple, tools.triple))
    libs = [lib[StaticDependencyInfo] for lib in ctx.attr.libs]
    out = ctx.actions.declare_directory(ctx.label.name)
    builtins = ctx.actions.declare_file(ctx.label.name + ".json")
    log = ctx.actions.declare_file(ctx.label.name + ".build.log")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--source", ctx.file.source)
    args.add("--distribution", dist.distribution.path)
    args.add("--descriptor", dist.descriptor)
    for lib in libs:
        args.add_all("--lib", [lib.name, lib.prefix, lib.origin], expand_directories = False)
    args.add("--cc", tools.cc)
    args.add("--ar", tools.ar)
    args.add("--output", out.path)
    args.add("--builtins", builtins)
    args.add("--log", log)
    ctx.actions.run(
        executable = ctx.executable._build_extra_builtins,
        arguments = [args],
        inputs = depset(
            [ctx.file.source, ctx.file._exec_tools, dist.distribution, dist.descriptor] + [lib.prefix for lib in libs] + [lib.origin for lib in libs],
            transitive = [tools.files],
        ),
        outputs = [out, builtins, log],
        env = tools.env,
        mnemonic = "PyStaticExtraBuiltins",
        progress_message = "Compiling _curses, _curses_panel and readline for CPython {} %{{label}}".format(dist.python_version),
    )
    return [
        DefaultInfo(files = depset([out, builtins])),
        OutputGroupInfo(build_log = depset([log])),
        PyStaticExtraBuiltinsInfo(builtins = builtins, directory = out),
    ]

cpython_extra_builtins = rule(
    implementation = _cpython_extra_builtins_impl,
    cfg = distribution_transition,
    doc = "_curses, _curses_panel and readline compiled against a cpython_static_distribution (its own action).",
    attrs = {
        "distribution": attr.label(mandatory = True, providers = [PyStaticDistributionInfo]),
        "libs": attr.label_list(providers = [StaticDependencyInfo], doc = "ncurses and libedit (sources.json `extra_builtins`)."),
        "source": attr.label(mandatory = True, allow_single_file = [".tar.xz", ".tgz", ".tar.gz"], doc = "The distribution's CPython source archive."),
        "_build_extra_builtins": attr.label(default = "//actions:build_extra_builtins", executable = True, cfg = "exec"),
        "_exec_tools": EXEC_TOOLS_ATTR,
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
    },
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain(),
)
