"""cpython_static_distribution: CPython built from source with the target's C toolchain, in one action."""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain", "use_cpp_toolchain")
load(":providers.bzl", "PyStaticDistributionInfo")

def _cpython_static_distribution_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)

    # Native cc_common: rules_cc 0.0.9 (Bazel 7's WORKSPACE default) has no cc/common:cc_common.bzl.
    # buildifier: disable=native-cc-common
    features = cc_common.configure_features(ctx = ctx, cc_toolchain = cc_toolchain)

    # buildifier: disable=native-cc-common
    cc = cc_common.get_tool_for_action(feature_configuration = features, action_name = ACTION_NAMES.c_compile)

    # buildifier: disable=native-cc-common
    ar = cc_common.get_tool_for_action(feature_configuration = features, action_name = ACTION_NAMES.cpp_link_static_library)
    triple = cc_toolchain.target_gnu_system_name
    if not triple.endswith("-linux-musl"):
        fail(("{}: the static CPython distribution is built for linux-musl targets; the C toolchain here " +
              "targets '{}'. Fix: build with --platforms=@rules_pystatic//platforms:linux_musl (or _aarch64).").format(
            ctx.label,
            triple,
        ))

    dist = ctx.actions.declare_directory(ctx.label.name + "_dist")
    descriptor = ctx.actions.declare_file(ctx.label.name + ".distribution.json")
    log = ctx.actions.declare_file(ctx.label.name + ".build.log")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--source", ctx.file.source)
    args.add("--strip_prefix", ctx.attr.strip_prefix)
    args.add("--version", ctx.attr.python_version)
    args.add("--target", triple)
    args.add("--cc", cc)
    args.add("--ar", ar)
    args.add("--jobs", str(ctx.attr.jobs))
    args.add("--output", dist.path)
    args.add("--descriptor", descriptor)
    args.add("--log", log)
    ctx.actions.run(
        executable = ctx.executable._build_cpython,
        arguments = [args],
        inputs = depset([ctx.file.source], transitive = [cc_toolchain.all_files]),
        outputs = [dist, descriptor, log],
        mnemonic = "PyStaticCPython",
        progress_message = "Building static CPython {} for {} (configure + make, a few minutes) %{{label}}".format(
            ctx.attr.python_version,
            triple,
        ),
    )
    return [
        DefaultInfo(files = depset([dist, descriptor])),
        OutputGroupInfo(build_log = depset([log])),
        PyStaticDistributionInfo(
            descriptor = descriptor,
            distribution = dist,
            python_version = ctx.attr.python_version,
            target_triple = triple,
        ),
    ]

cpython_static_distribution = rule(
    implementation = _cpython_static_distribution_impl,
    doc = "CPython as static objects plus stdlib and a JSON descriptor, for the target platform.",
    attrs = {
        "jobs": attr.int(default = 2, doc = "make -j; part of the action key, so fixed, not the machine's core count."),
        "python_version": attr.string(mandatory = True, doc = "Full version of the source, e.g. 3.13.15."),
        "source": attr.label(mandatory = True, allow_single_file = [".tar.xz", ".tgz", ".tar.gz"]),
        "strip_prefix": attr.string(mandatory = True),
        "_build_cpython": attr.label(default = "//tools:build_cpython", executable = True, cfg = "exec"),
    },
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain(),
)
