"""static_dependency: one C library for CPython's extension modules, built from its pinned source."""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "use_cpp_toolchain")
load("//toolchains:targets.bzl", "TARGETS")
load(":cc_tools.bzl", "BUILD_CC_TOOLCHAIN_ATTR", "EXEC_TOOLS_ATTR", "build_cc_tools", "target_cc_tools", "target_row")
load(":providers.bzl", "StaticDependencyInfo")

def _target_setting(triple):
    # The config_setting of distribution/toolchains/cpython/BUILD.bazel that matches the target.
    return Label(":target_" + triple.replace("-", "_"))

def dependency_compatibility(lib):
    """target_compatible_with of a distribution library: the targets whose row does not leave it out.

    Args:
      lib: the library's name in sources.json's `deps`.

    Returns:
      a select() over the targets' config_settings.
    """
    branches = {_target_setting(triple): [] for triple in TARGETS if lib not in TARGETS[triple].deps_left_out}
    branches["//conditions:default"] = ["@platforms//:incompatible"]
    return select(branches)

def dependency_builder():
    """The recipe script of the distribution's libraries, by the target's os.

    build_dep (linux) and build_dep_windows: the Windows recipes live apart, so the Linux
    libraries' action keys do not depend on them.

    Returns:
      a select() of the script's label.
    """
    branches = {
        _target_setting(triple): Label("//actions:build_dep" if target.os == "linux" else "//actions:build_dep_" + target.os)
        for triple, target in TARGETS.items()
    }
    branches["//conditions:default"] = Label("//actions:build_dep")
    return select(branches)

def _static_dependency_impl(ctx):
    tools = target_cc_tools(ctx)
    name = ctx.attr.library
    prefix = ctx.actions.declare_directory(ctx.label.name + "_prefix")
    log = ctx.actions.declare_file(ctx.label.name + ".build.log")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--name", name)
    args.add("--source", ctx.file.source)

    # The GNU name autoconf knows (the row's gnu_triple): the zig triple itself for linux-musl.
    args.add("--target", target_row(ctx, tools.triple).gnu_triple)
    if name == "openssl":
        # Only OpenSSL's recipe needs it: the other libraries' action keys stay independent of the row.
        args.add("--openssl_target", target_row(ctx, tools.triple).openssl_target)
    args.add("--cc", tools.cc)
    args.add("--ar", tools.ar)
    transitive = [tools.files]
    inputs = [ctx.file.source, ctx.file._exec_tools]
    for dep in ctx.attr.deps:
        # Only libraries built on another (libedit on ncurses): the others' command lines stay as they were.
        info = dep[StaticDependencyInfo]
        args.add_all("--with", [info.name, info.prefix], expand_directories = False)
        inputs.append(info.prefix)
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
        inputs = depset(inputs, transitive = transitive),
        outputs = [prefix, log],
        env = env,
        # Windows' own mnemonic: its actions can be told apart (--modify_execution_info, profiles:
        # bench's Windows section rebuilds just them).
        mnemonic = "PyStaticDepWindows" if target_row(ctx, tools.triple).os == "windows" else "PyStaticDep",
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
        "deps": attr.label_list(
            providers = [StaticDependencyInfo],
            doc = "Libraries this one is built on (`--with NAME PREFIX`; build_extra_dep's libedit on ncurses).",
        ),
        "origin": attr.label(mandatory = True, allow_single_file = [".json"], doc = "origin.json of the source."),
        "source": attr.label(mandatory = True, allow_single_file = True),
        "builder": attr.label(
            default = "//actions:build_dep",
            executable = True,
            cfg = "exec",
            doc = "The recipe script: build_dep (CPython's libraries), build_extra_dep (the extra built-ins' libraries) or " +
                  "build_native (libraries of packages built from sdists).",
        ),
        "_build_cc_toolchain": BUILD_CC_TOOLCHAIN_ATTR,
        "_exec_tools": EXEC_TOOLS_ATTR,
    },
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain(),
)
