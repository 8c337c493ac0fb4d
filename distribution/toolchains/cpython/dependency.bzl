"""static_dependency: one C library for CPython's extension modules, built from its pinned source."""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "use_cpp_toolchain")
load(":cc_tools.bzl", "BUILD_CC_TOOLCHAIN_ATTR", "build_cc_tools", "musl_cc_tools", "target_row")
load(":providers.bzl", "StaticDependencyInfo")

def _static_dependency_impl(ctx):
    tools = musl_cc_tools(ctx)
    name = ctx.attr.library
    prefix = ctx.actions.declare_directory(ctx.label.name + "_prefix")
    log = ctx.actions.declare_file(ctx.label.name + ".build.log")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--name", name)
    args.add("--source", ctx.file.source)
    args.add("--target", tools.triple)
    if name == "openssl":
        # Only OpenSSL's recipe needs it: the other libraries' action keys stay independent of the row.
        args.add("--openssl_target", target_row(ctx, tools.triple).openssl_target)
    args.add("--cc", tools.cc)
    args.add("--ar", tools.ar)
    transitive = [tools.files]
    env = dict(tools.env)
    build_tools = build_cc_tools(ctx)
    if build_tools.triple != tools.triple:
        # Cross build: helper programs run during the build (sqlite's jimsh0, lemon) need the
        # build machine's compiler.
        args.add("--build-target", build_tools.triple)
        args.add("--build-cc", build_tools.cc)
        transitive.append(build_tools.files)
        env.update(build_tools.env)
    args.add("--output", prefix.path)
    args.add("--log", log)
    ctx.actions.run(
        executable = ctx.executable.builder,
        arguments = [args],
        inputs = depset([ctx.file.source, ctx.file._exec_tools], transitive = transitive),
        outputs = [prefix, log],
        env = env,
        mnemonic = "PyStaticDep",
        progress_message = "Building static {} for {} %{{label}}".format(name, tools.triple),
    )
    return [
        DefaultInfo(files = depset([prefix])),
        OutputGroupInfo(build_log = depset([log])),
        StaticDependencyInfo(name = name, prefix = prefix, origin = ctx.file.origin),
    ]

static_dependency = rule(
    implementation = _static_dependency_impl,
    doc = "A static C library (recipe in distribution/actions/pystatic/distribution/build_dep.py) built with the target's toolchain.",
    attrs = {
        "library": attr.string(mandatory = True, doc = "Recipe name, e.g. zlib."),
        "origin": attr.label(mandatory = True, allow_single_file = [".json"], doc = "origin.json of the source."),
        "source": attr.label(mandatory = True, allow_single_file = True),
        "builder": attr.label(
            default = "//actions:build_dep",
            executable = True,
            cfg = "exec",
            doc = "The recipe script: build_dep (CPython's libraries) or build_native (libraries of packages built from sdists).",
        ),
        "_build_cc_toolchain": BUILD_CC_TOOLCHAIN_ATTR,
        "_exec_tools": attr.label(
            default = "@pystatic_exec_tools//:fingerprint.txt",
            allow_single_file = True,
            doc = "The build machine's python3, make, perl, ... (real path, sha256): their change re-keys the action.",
        ),
    },
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain(),
)
