"""The target C toolchain's compiler and archiver, for configure/make style build actions."""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("//toolchains:targets.bzl", "TARGETS")
load(":transitions.bzl", "build_python_transition")

def _zig_runtime_env(cc_toolchain, triple):
    """{PYSTATIC_ZIG_RUNTIME_<triple>: dir} of the zig toolchain's prebuilt libc (zig_runtime).

    The cc wrapper links it when set: actions that run the wrapper themselves (configure/make) pass it
    on (execroot-relative; the scripts make it absolute: pystatic.common.zig_env).
    """
    marker = "/runtime/{}/".format(triple)
    dirs = [f.dirname for f in cc_toolchain.all_files.to_list() if marker in f.path]
    return {"PYSTATIC_ZIG_RUNTIME_" + triple.replace("-", "_"): dirs[0]} if dirs else {}

def _tools(ctx, cc_toolchain, any_target = False):
    # Native cc_common: rules_cc 0.0.9 (Bazel 7's WORKSPACE default) has no cc/common:cc_common.bzl.
    # buildifier: disable=native-cc-common
    features = cc_common.configure_features(ctx = ctx, cc_toolchain = cc_toolchain)
    triple = cc_toolchain.target_gnu_system_name
    if any_target:
        target_row(ctx, triple)  # fails naming the rows if the toolchain targets none of them
    elif not triple.endswith("-linux-musl"):
        fail(("{}: the static CPython distribution is built for linux-musl targets; the C toolchain here " +
              "targets '{}'. Fix: build with --platforms=@rules_pystatic//platforms:linux_musl (or _aarch64).").format(
            ctx.label,
            triple,
        ))
    return struct(
        # buildifier: disable=native-cc-common
        cc = cc_common.get_tool_for_action(feature_configuration = features, action_name = ACTION_NAMES.c_compile),
        env = _zig_runtime_env(cc_toolchain, triple),
        # buildifier: disable=native-cc-common
        ar = cc_common.get_tool_for_action(feature_configuration = features, action_name = ACTION_NAMES.cpp_link_static_library),
        triple = triple,
        files = cc_toolchain.all_files,
    )

def musl_cc_tools(ctx):
    """Finds the C compiler, archiver and target triple of the rule's (musl) C toolchain.

    Args:
      ctx: a rule context with the cpp toolchain and fragment.

    Returns:
      struct(cc, ar, triple, files, env); env: what the action's environment needs for the wrapper
      (zig's prebuilt libc: `env = tools.env` on ctx.actions.run); fails with a fix if the target is not linux-musl.
    """
    return _tools(ctx, find_cpp_toolchain(ctx))

def target_cc_tools(ctx):
    """Like musl_cc_tools, for any target of TARGETS (the C libraries are built for windows too).

    Args:
      ctx: a rule context with the cpp toolchain and fragment.

    Returns:
      struct(cc, ar, triple, files); fails naming the rows if the toolchain's target has none.
    """
    return _tools(ctx, find_cpp_toolchain(ctx), any_target = True)

# `_exec_tools` of every rule whose action runs the build machine's tools itself (configure, make, perl, python3).
EXEC_TOOLS_ATTR = attr.label(
    default = "@pystatic_exec_tools//:fingerprint.txt",
    allow_single_file = True,
    doc = "The build machine's python3, make, perl, ... (real path, sha256): their change re-keys the action.",
)

# The attribute build_cc_tools reads: the C toolchain of the build machine (x86_64 musl).
BUILD_CC_TOOLCHAIN_ATTR = attr.label(
    default = "@bazel_tools//tools/cpp:current_cc_toolchain",
    cfg = build_python_transition,
)

def build_cc_tools(ctx):
    """Like musl_cc_tools, for the build machine: compiles helper programs that run during the build.

    Args:
      ctx: a rule context with a `_build_cc_toolchain` attribute (BUILD_CC_TOOLCHAIN_ATTR).

    Returns:
      struct(cc, ar, triple, files) of the x86_64 linux-musl toolchain.
    """

    # buildifier: disable=native-cc-common
    return _tools(ctx, ctx.attr._build_cc_toolchain[0][cc_common.CcToolchainInfo])

def add_cc_and_deps(args, tools, deps, jobs):
    """Adds `--cc --ar --dep NAME PREFIX ORIGIN ... --jobs` to a CPython build's command line.

    The arguments build_cpython.py and build_cpython_windows.py share, in this order.

    Args:
      args: ctx.actions.args() of the action.
      tools: musl_cc_tools or target_cc_tools of the rule.
      deps: list of StaticDependencyInfo.
      jobs: parallel compiles (an int attribute: part of the action key).
    """
    args.add("--cc", tools.cc)
    args.add("--ar", tools.ar)
    for dep in deps:
        args.add_all("--dep", [dep.name, dep.prefix, dep.origin], expand_directories = False)
    args.add("--jobs", str(jobs))

def target_row(ctx, triple):
    """The row of TARGETS for a C toolchain's target triple: per-target facts an action gets as arguments.

    Args:
      ctx: the rule context (its label names the failing target).
      triple: the target triple, e.g. musl_cc_tools(ctx).triple.

    Returns:
      struct: the row of @pystatic_distribution//toolchains:targets.bzl; fails naming the triple if it has none.
    """
    if triple not in TARGETS:
        fail(("{}: the C toolchain's target triple '{}' has no row in TARGETS of " +
              "@pystatic_distribution//toolchains:targets.bzl (rows: {}).").format(
            ctx.label,
            triple,
            ", ".join(sorted(TARGETS)),
        ))
    return TARGETS[triple]
