"""pystatic_wheel: one unpacked wheel of a `pystatic.wheels` repository, as a py_library.

The repository rule (wheels_repository.bzl) writes these targets; users depend on
`@<repo>//<package>`, which selects the target of the platform being built.
"""

load("//toolchains/cpython:runtime.bzl", "build_python_action", "package_files")
load("//toolchains/cpython:runtime_info.bzl", "RUNTIME_TOOLCHAIN_TYPE", "extra_builtins_args", "runtime_of")
load(":providers.bzl", "PyStaticSdistInfo", "PyStaticWheelCheckInfo")

def _check_natives(ctx, runtime):
    """Validation action: the wheel's C extensions are built in, have fallbacks, or fail the build.

    Run by the build-machine CPython of the target's version (like PyStaticBytecode): the package's
    sources are parsed by a parser of the Python they are written for, never the host's python3.
    Returns (the notes stamp, the JSON of the modules it left out, which the pack step checks).
    """
    stamp = ctx.actions.declare_file(ctx.label.name + ".natives.txt")
    left_out = ctx.actions.declare_file(ctx.label.name + ".natives.json")
    descriptor = runtime.distribution.descriptor
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--target", str(ctx.label))
    args.add("--package", "{} {} ({})".format(ctx.attr.package, ctx.attr.version, ctx.attr.wheel))
    args.add("--root", _root_path(ctx))
    args.add_all(ctx.files.srcs, before_each = "--src")
    args.add_all(ctx.attr.native_files, before_each = "--native")
    args.add_all(ctx.attr.built_in, before_each = "--built_in")
    args.add("--descriptor", descriptor)
    extra_inputs = extra_builtins_args(args, runtime)

    # Every musl runtime loads musllinux shared objects from memory (docs/native-wheels.md).
    args.add("--loader")
    args.add("--stamp", stamp)
    args.add("--left_out", left_out)
    build_python_action(
        ctx,
        runtime.build_distribution,
        script = ctx.file._check_wheel,
        tool_files = package_files(ctx.attr._check_wheel_package),
        arguments = [args],
        inputs = ctx.files.srcs + [descriptor] + extra_inputs,
        outputs = [stamp, left_out],
        mnemonic = "PyStaticWheel",
        progress_message = "Checking the C extensions of %{label}",
    )
    return stamp, left_out

def _tree_path(ctx, file):
    """The file's path below the wheel's import root: its name in the binary's embedded tree."""
    return file.path.split("/" + ctx.attr.import_root + "/", 1)[1]

def _root_path(ctx):
    return (ctx.label.workspace_root + "/" if ctx.label.workspace_root else "") + ctx.attr.import_root

def _pystatic_wheel_impl(ctx):
    deps_info = [dep[PyInfo] for dep in ctx.attr.deps]
    workspace = ctx.label.workspace_name or ctx.workspace_name
    runtime = runtime_of(ctx)

    # Without a runtime toolchain (no static CPython for the platform) no binary can embed the wheel.
    stamp, left_out = _check_natives(ctx, runtime) if ctx.attr.native_files and runtime else (None, None)
    validations = [stamp] if stamp else []
    runfiles = ctx.runfiles(files = ctx.files.data).merge_all([dep[DefaultInfo].default_runfiles for dep in ctx.attr.deps])
    return [
        DefaultInfo(files = depset(ctx.files.srcs + ctx.files.data), runfiles = runfiles),
        PyInfo(
            transitive_sources = depset(ctx.files.srcs, transitive = [info.transitive_sources for info in deps_info]),
            imports = depset([workspace + "/" + ctx.attr.import_root], transitive = [info.imports for info in deps_info]),
        ),
        OutputGroupInfo(_validation = depset(validations)),
        # Dependencies built from their sdists link in with every binary that uses this wheel.
        PyStaticSdistInfo(builds = depset(transitive = [dep[PyStaticSdistInfo].builds for dep in ctx.attr.deps if PyStaticSdistInfo in dep])),
        PyStaticWheelCheckInfo(
            left_out = depset(
                [left_out] if left_out else [],
                transitive = [dep[PyStaticWheelCheckInfo].left_out for dep in ctx.attr.deps if PyStaticWheelCheckInfo in dep],
            ),
            natives = depset(
                [struct(package = "{}@{}".format(ctx.attr.package, ctx.attr.version), path = _tree_path(ctx, f), file = f) for f in ctx.files.natives],
                transitive = [dep[PyStaticWheelCheckInfo].natives for dep in ctx.attr.deps if PyStaticWheelCheckInfo in dep],
            ),
        ),
    ]

pystatic_wheel = rule(
    implementation = _pystatic_wheel_impl,
    doc = "An unpacked wheel (sources, data, .dist-info) as a py_library for py_static_binary.",
    attrs = {
        "built_in": attr.string_list(doc = "Extension modules that binaries link in as built-ins (py_static_extension)."),
        "data": attr.label_list(allow_files = True, doc = "Everything else of the wheel, .dist-info included."),
        "deps": attr.label_list(providers = [PyInfo], doc = "Requires-Dist of the wheel, for this platform."),
        "import_root": attr.string(mandatory = True, doc = "Directory the wheel was unpacked to, repository-relative."),
        "native_files": attr.string_list(doc = "Shared objects of the wheel (relative to import_root)."),
        "natives": attr.label_list(allow_files = True, doc = "The same files: embedded as shared objects when the wheel's check loads them."),
        "package": attr.string(mandatory = True),
        "srcs": attr.label_list(allow_files = [".py"]),
        "version": attr.string(mandatory = True),
        "wheel": attr.string(mandatory = True, doc = "File name of the wheel."),
        "_check_wheel": attr.label(default = "//actions:pystatic/packages/check_wheel.py", allow_single_file = True),
        "_check_wheel_package": attr.label(default = "//actions:packages.check_wheel", providers = [PyInfo]),
    },
    toolchains = [config_common.toolchain_type(RUNTIME_TOOLCHAIN_TYPE, mandatory = False)],
)

def _pystatic_wheel_unavailable_impl(ctx):
    fail("{}: {}.".format(ctx.label, ctx.attr.message))

pystatic_wheel_unavailable = rule(
    implementation = _pystatic_wheel_unavailable_impl,
    doc = "A locked package that cannot be used on this platform; analysing it fails with the reason.",
    attrs = {"message": attr.string(mandatory = True)},
    provides = [PyInfo],
)

def _pystatic_wheel_broken_impl(ctx):
    # Fails when built, not when analysed: `bazel build //...` and every other package of the lock
    # keep working; only what embeds this package fails, with the fetch's reason and fix.
    marker = ctx.actions.declare_file(ctx.label.name + ".broken.py")
    ctx.actions.run_shell(
        outputs = [marker],
        command = "printf 'error: %s: %s\\n' \"$1\" \"$2\" >&2; exit 1",
        arguments = [str(ctx.label), ctx.attr.message],
        mnemonic = "PyStaticWheelBroken",
        progress_message = "Reporting why package %{label} cannot be used",
    )
    return [
        DefaultInfo(files = depset([marker])),
        PyInfo(transitive_sources = depset([marker])),
        OutputGroupInfo(_validation = depset([marker])),
    ]

pystatic_wheel_broken = rule(
    implementation = _pystatic_wheel_broken_impl,
    doc = "A locked package that could not be fetched or unpacked; building anything that needs it fails with the reason.",
    attrs = {"message": attr.string(mandatory = True)},
    provides = [PyInfo],
)
