"""py_static_runtime: the toolchain that hands a platform's static CPython to py_static_binary.

Besides the distribution it prepares what every binary of that platform shares, so that it is
built once and cached, not once per binary: the standard library compiled to bytecode (per
optimisation level, by the build-machine interpreter of the same version), the list of
archives to link, merged into one, and the C runtime (runtime/*.c) compiled.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain", "use_cpp_toolchain")
load("@pystatic_distribution//toolchains:python_builds.bzl", "PYTHON_BUILDS")
load("@pystatic_distribution//toolchains:targets.bzl", "TARGETS")
load("@pystatic_distribution//toolchains/cpython:cc_tools.bzl", "target_cc_tools")
load("@pystatic_distribution//toolchains/cpython:providers.bzl", "PyStaticDistributionInfo", "PyStaticExtraBuiltinsInfo", "is_windows", "ldversion", "stdlib_dir")
load("@pystatic_distribution//toolchains/cpython:transitions.bzl", "build_python_transition")
load(":cc_compile.bzl", "cc_features", "python_headers")
load(":runtime_info.bzl", "PyStaticRuntimeInfo")

OPTIMIZE_LEVELS = [0, 1, 2]

def package_files(library):
    """The `pystatic` files a script imports: its py_library's closure (actions/libraries.bzl), no more."""
    return library[PyInfo].transitive_sources.to_list()

def package_env(tool_files):
    """The environment of a script run by the distribution's interpreter: PYTHONPATH = the package roots."""
    return {
        # PYTHONHASHSEED: frozenset constants are marshalled in hash order.
        "PYTHONHASHSEED": "0",
        "PYTHONPATH": ":".join({f.path[:f.path.rfind("/pystatic/")]: None for f in tool_files if "/pystatic/" in f.path}.keys()),
    }

def build_python_action(ctx, build_dist, script, tool_files, arguments, inputs, outputs, mnemonic, progress_message, transitive_inputs = [], env = {}):
    """Runs a actions/pystatic script under the build-machine interpreter of the target's Python version.

    Args:
      ctx: rule context.
      build_dist: PyStaticDistributionInfo that runs on the build machine.
      script: File, the script to run.
      tool_files: list of File, the `pystatic` modules the script imports (package_files).
      arguments: list of Args.
      inputs: list of File.
      outputs: list of File.
      mnemonic: action mnemonic.
      progress_message: progress message.
      transitive_inputs: list of depset of File, more inputs (e.g. a C toolchain's files).
      env: more environment (e.g. a C toolchain's musl_cc_tools(ctx).env).
    """
    ctx.actions.run(
        executable = build_dist.distribution.path + "/bin/python" + ldversion(build_dist),
        arguments = ["-S", "-B", script.path] + arguments,
        inputs = depset([build_dist.distribution, script] + tool_files + inputs, transitive = transitive_inputs),
        outputs = outputs,
        env = dict(package_env(tool_files), **env),
        mnemonic = mnemonic,
        progress_message = progress_message,
    )

def _merged_archive(ctx, dist, extra):
    """The distribution's archives (and the extra built-ins') merged into one.

    Windows' system libraries (ws2_32, bcrypt, ...: import libraries) are `-l` flags of every link:
    the target row's system_libraries (binary_link.bzl), which the merge checks against the
    descriptor's; musl's are parts of libc.a.
    """
    tools = target_cc_tools(ctx)
    merged = ctx.actions.declare_file("{}/libpython{}-static.a".format(ctx.label.name, dist.python_version))
    args = ctx.actions.args()
    args.add("--ar", tools.ar)
    args.add("--descriptor", dist.descriptor)
    args.add("--distribution", dist.distribution.path)
    inputs = [dist.descriptor, dist.distribution]
    if extra:
        # _curses, _curses_panel, readline, libedit and ncurses after the distribution's archives.
        args.add("--extra_builtins", extra.builtins)
        args.add("--extra_builtins_dir", extra.directory.path)
        inputs += [extra.builtins, extra.directory]
    args.add("--output", merged)
    args.add_all(TARGETS[dist.target_triple].system_libraries, before_each = "--linked_system_library")
    ctx.actions.run(
        executable = ctx.executable._merge_archives,
        arguments = [args],
        inputs = depset(inputs, transitive = [tools.files]),
        outputs = [merged],
        mnemonic = "PyStaticMergeArchives",
        progress_message = "Merging the static archives of CPython {} %{{label}}".format(dist.python_version),
    )
    return merged

def _python_api_exports(ctx, dist):
    """Windows: the .def file that exports the C API from every executable (ctypes.pythonapi)."""
    exports = ctx.actions.declare_file("{}/python_api.def".format(ctx.label.name))
    args = ctx.actions.args()
    args.add("--archive", "{}/libs/libpython{}.a".format(dist.distribution.path, ldversion(dist)))
    args.add("--output", exports)
    ctx.actions.run(
        executable = ctx.executable._python_api_exports,
        arguments = [args],
        inputs = [dist.distribution],
        outputs = [exports],
        mnemonic = "PyStaticPythonApiExports",
        progress_message = "Listing the C API of CPython {} to export %{{label}}".format(dist.python_version),
    )
    return exports

def _sysconfig_data(ctx, dist):
    """(module name, file): the distribution's _sysconfigdata module, its paths rebased onto sys.prefix."""
    name = "_sysconfigdata_{}_linux_{}".format(dist.abiflags, dist.target_triple)
    module = ctx.actions.declare_file("{}.sysconfig/{}.py".format(ctx.label.name, name))
    args = ctx.actions.args()
    args.add("--stdlib", dist.distribution.path + "/" + stdlib_dir(dist))
    args.add("--target_triple", dist.target_triple)
    if dist.abiflags:
        args.add("--abiflags", dist.abiflags)
    args.add("--output", module)
    ctx.actions.run(
        executable = ctx.executable._sysconfig_data,
        arguments = [args],
        inputs = [dist.distribution],
        outputs = [module],
        mnemonic = "PyStaticSysconfig",
        progress_message = "Generating {} for sealed binaries %{{label}}".format(name),
    )
    return name, module

def _ensurepip_packs(ctx, dist, build_dist):
    """ensurepip for interpreters: {level: struct(blob, imports)}.

    Lib/ensurepip of the distribution's own source archive (its bundled pip wheel as data), compiled
    like the stdlib. Not in the distribution's stdlib (build_cpython.py's STDLIB_EXCLUDED): only
    interpreters embed it, for `python -m venv` (docs/py_static_binary.md).
    """
    tree = ctx.actions.declare_directory(ctx.label.name + ".ensurepip")
    args = ctx.actions.args()
    args.add("--source", dist.source)
    args.add("--output", tree.path)
    ctx.actions.run(
        executable = ctx.executable._ensurepip_source,
        arguments = [args],
        inputs = [dist.source],
        outputs = [tree],
        mnemonic = "PyStaticEnsurepipSource",
        progress_message = "Extracting ensurepip and its pip wheel from {} %{{label}}".format(dist.source.basename),
    )
    return _compiled_packs(
        ctx,
        build_dist,
        part = "ensurepip",
        stdlib = tree.path,
        inputs = [tree],
        mnemonic = "PyStaticEnsurepip",
        what = "ensurepip of Python {}{}".format(dist.python_version, dist.abiflags),
    )

def _compiled_packs(ctx, build_dist, part, stdlib, inputs, mnemonic, what, modules = None):
    """{level: struct(blob, imports)}: compile_bytecode of the tree `stdlib` at each optimisation level.

    `modules` adds arguments between --stdlib and --optimize (the stdlib's runtime modules).
    """
    packs = {}
    for level in OPTIMIZE_LEVELS:
        blob = ctx.actions.declare_file("{}.{}.O{}.blob".format(ctx.label.name, part, level))
        imports = ctx.actions.declare_file("{}.{}.O{}.imports.json".format(ctx.label.name, part, level))
        args = ctx.actions.args()
        args.add("--stdlib", stdlib)
        if modules:
            modules(args)
        args.add("--optimize", str(level))
        args.add("--output", blob)
        args.add("--imports", imports)
        build_python_action(
            ctx,
            build_dist,
            script = ctx.file._compile_bytecode,
            tool_files = package_files(ctx.attr._compile_bytecode_package),
            arguments = [args],
            inputs = inputs,
            outputs = [blob, imports],
            mnemonic = mnemonic,
            progress_message = "Compiling {} (-O{}) %{{label}}".format(what, level),
        )
        packs[level] = struct(blob = blob, imports = imports)
    return packs

def _compiled_c_runtime(ctx, dist):
    """runtime/*.c compiled once per platform and Python build, for every binary's link.

    Before, each binary compiled the same sources again: about 20 compile actions per binary.
    """
    cc_toolchain = find_cpp_toolchain(ctx)

    features = cc_features(ctx, cc_toolchain)

    # buildifier: disable=native-cc-common
    _, outputs = cc_common.compile(
        name = ctx.label.name + "_c",
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        srcs = ctx.files._runtime_c_srcs,
        private_hdrs = ctx.files._runtime_c_hdrs,
        quote_includes = [ctx.files._runtime_c_hdrs[0].dirname],
        compilation_contexts = [python_headers(dist)],
        user_compile_flags = ["-O2"],
    )
    return outputs

def _py_static_runtime_impl(ctx):
    dist = ctx.attr.distribution[PyStaticDistributionInfo]
    build_dist = ctx.attr.build_distribution[0][PyStaticDistributionInfo]
    if build_dist.python_version != dist.python_version or build_dist.abiflags != dist.abiflags:
        fail("{}: build_distribution is Python {}, distribution is {}; bytecode must come from the same build.".format(
            ctx.label,
            ldversion(build_dist),
            ldversion(dist),
        ))

    # sysconfig reads a _sysconfigdata module on POSIX only (Windows': sysconfig._init_non_posix).
    sysconfig = [] if is_windows(dist) else [_sysconfig_data(ctx, dist)]

    def runtime_modules(args):
        for f in ctx.files._runtime_modules:
            args.add_all("--module", [f.basename[:-len(".py")], f])
        for name, module in sysconfig:
            args.add_all("--module", [name, module])
        args.add_all("--replace", ["_pyrepl._minimal_curses", ctx.file._pyrepl_curses])

    stdlib_packs = _compiled_packs(
        ctx,
        build_dist,
        part = "stdlib",
        stdlib = dist.distribution.path + "/" + stdlib_dir(dist),
        inputs = [dist.distribution] + [module for _, module in sysconfig] + [ctx.file._pyrepl_curses] + ctx.files._runtime_modules,
        mnemonic = "PyStaticStdlib",
        what = "the standard library of Python {}{}".format(dist.python_version, dist.abiflags),
        modules = runtime_modules,
    )
    extra = ctx.attr.extra_builtins[PyStaticExtraBuiltinsInfo] if ctx.attr.extra_builtins else None
    return [
        platform_common.ToolchainInfo(
            pystatic_runtime = PyStaticRuntimeInfo(
                bolt_profile = ctx.file.bolt_profile,
                distribution = dist,
                build_distribution = build_dist,
                ensurepip_packs = _ensurepip_packs(ctx, dist, build_dist),
                stdlib_packs = stdlib_packs,
                static_library = _merged_archive(ctx, dist, extra),
                python_api_exports = _python_api_exports(ctx, dist) if is_windows(dist) else None,
                extra_builtins = extra,
                runtime_objects = _compiled_c_runtime(ctx, dist),
                runtime_hdrs = ctx.files._runtime_c_hdrs,
            ),
        ),
    ]

py_static_runtime = rule(
    implementation = _py_static_runtime_impl,
    doc = "Wraps a cpython_static_distribution as a toolchain, resolved by target platform.",
    attrs = {
        "bolt_profile": attr.label(
            allow_single_file = [".fdata.xz"],
            doc = "BOLT's profile of the distribution's interpreter core (docs/cpython.md, BOLT), or none.",
        ),
        "build_distribution": attr.label(
            mandatory = True,
            cfg = build_python_transition,
            providers = [PyStaticDistributionInfo],
            doc = "The same Python version built to run on the build machine: it compiles the bytecode.",
        ),
        "distribution": attr.label(mandatory = True, providers = [PyStaticDistributionInfo]),
        "extra_builtins": attr.label(
            providers = [PyStaticExtraBuiltinsInfo],
            doc = "_curses, _curses_panel and readline compiled against `distribution` (cpython_extra_builtins): merged " +
                  "into static_library, built in wherever a binary's code imports them.",
        ),
        "_compile_bytecode": attr.label(default = "//actions:pystatic/binary/compile_bytecode.py", allow_single_file = True),
        "_merge_archives": attr.label(default = "//actions:merge_archives", executable = True, cfg = "exec"),
        "_pyrepl_curses": attr.label(
            default = "//runtime:_pystatic_minimal_curses.py",
            allow_single_file = True,
            doc = "Replaces _pyrepl._minimal_curses (which dlopens libncursesw) with ANSI capabilities, for 3.13's REPL " +
                  "in a binary without _curses (pyrepl imports the real _curses first: the extra built-ins).",
        ),
        "_compile_bytecode_package": attr.label(default = "//actions:binary.compile_bytecode", providers = [PyInfo]),
        "_ensurepip_source": attr.label(default = "//actions:ensurepip_source", executable = True, cfg = "exec"),
        "_runtime_c_hdrs": attr.label(default = "//runtime:c_hdrs"),
        "_runtime_c_srcs": attr.label(default = "//runtime:c_srcs"),
        "_runtime_modules": attr.label(default = "//runtime:py_modules"),
        "_python_api_exports": attr.label(default = "//actions:python_api_exports", executable = True, cfg = "exec"),
        "_sysconfig_data": attr.label(default = "//actions:sysconfig_data", executable = True, cfg = "exec"),
    },
    provides = [platform_common.ToolchainInfo],
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain(),
)

def bolt_profile_of(build):
    """py_static_runtime's bolt_profile for a Python build: its row's BOLT profile for the target's CPU, if any.

    Args:
      build: a key of PYTHON_BUILDS.

    Returns:
      A select over the CPUs of the row's bolt_profiles (None for the others).
    """
    profiles = {"@platforms//cpu:" + cpu: "@pystatic_distribution" + label for cpu, label in PYTHON_BUILDS[build].bolt_profiles.items()}
    profiles["//conditions:default"] = None
    return select(profiles)
