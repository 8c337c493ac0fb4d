"""The Python-side steps of a py_static_binary: the app's bytecode (PyStaticBytecode), the resource
blob (PyStaticBlob) and the C glue that embeds it (PyStaticGlue)."""

load("//toolchains/cpython:runtime.bzl", "build_python_action", "package_files")
load("//toolchains/cpython:runtime_info.bzl", "extra_builtins_args")
load(":binary_deps.bzl", "sdist_builds")
load(":native_wheels.bzl", "wheel_natives")
load(":providers.bzl", "PyStaticWheelCheckInfo")

def bytecode_action(ctx, runtime, manifest, files):
    """PyStaticBytecode: the app's sources compiled by the build-machine CPython of the target's version.

    Args:
      ctx: the py_static_binary's rule context.
      runtime: the runtime toolchain's info (runtime_of).
      manifest: the resource manifest File (manifest_action).
      files: the app's source and data Files the manifest names.

    Returns:
      (the app's blob File, its imports JSON File).
    """
    blob = ctx.actions.declare_file(ctx.label.name + ".app.blob")
    imports = ctx.actions.declare_file(ctx.label.name + ".app.imports.json")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--manifest", manifest)
    args.add("--optimize", str(ctx.attr.optimize))
    args.add("--output", blob)
    args.add("--imports", imports)
    build_python_action(
        ctx,
        runtime.build_distribution,
        script = ctx.file._compile_bytecode,
        tool_files = package_files(ctx.attr._compile_bytecode_package),
        arguments = [args],
        inputs = [manifest] + files,
        outputs = [blob, imports],
        mnemonic = "PyStaticBytecode",
        progress_message = "Compiling Python bytecode of %{label}",
    )
    return blob, imports

def _wheel_checks(ctx):
    """What the wheel checks of the deps left out (PyStaticWheel's JSON): the pack step refuses imports of it."""
    return depset(transitive = [dep[PyStaticWheelCheckInfo].left_out for dep in ctx.attr.deps if PyStaticWheelCheckInfo in dep]).to_list()

def pack_action(ctx, runtime, settings, app_blob, app_imports):
    """PyStaticBlob: selects the stdlib, checks the entry point and packs the resource blob.

    Args:
      ctx: the py_static_binary's rule context.
      runtime: the runtime toolchain's info (runtime_of): the precompiled stdlib packs.
      settings: the settings JSON File (settings_action).
      app_blob: the app's bytecode blob File (bytecode_action).
      app_imports: its imports JSON File.

    Returns:
      (the blob File, its JSON report File, the shared-objects JSON File).
    """
    wheel_checks = _wheel_checks(ctx)
    natives = wheel_natives(ctx)
    stdlib = runtime.stdlib_packs[ctx.attr.optimize]
    blob = ctx.actions.declare_file(ctx.label.name + ".blob")
    report = ctx.actions.declare_file(ctx.label.name + ".blob.json")
    shared_objects = ctx.actions.declare_file(ctx.label.name + ".shared_objects.json")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--settings", settings)
    args.add("--stdlib", stdlib.blob)
    args.add("--stdlib_imports", stdlib.imports)

    # An interpreter's stdlib has ensurepip too (python -m venv installs pip with it).
    extra = [runtime.ensurepip_packs[ctx.attr.optimize]] if ctx.attr.interpreter else []
    for pack in extra:
        args.add_all("--stdlib_extra", [pack.blob, pack.imports])
    args.add("--app", app_blob)
    args.add("--app_imports", app_imports)
    args.add("--descriptor", runtime.distribution.descriptor)
    extra_inputs = extra_builtins_args(args, runtime)
    args.add("--output", blob)
    args.add("--report", report)
    args.add("--shared_objects", shared_objects)
    args.add_all(wheel_checks, before_each = "--wheel_check")
    args.add_all(["{}={}".format(n.path, n.file.path) for n in natives], before_each = "--native")
    ctx.actions.run(
        executable = ctx.executable._pack_blob,
        arguments = [args],
        inputs = [settings, stdlib.blob, stdlib.imports, app_blob, app_imports, runtime.distribution.descriptor] +
                 extra_inputs + [f for pack in extra for f in (pack.blob, pack.imports)] + wheel_checks + [n.file for n in natives],
        outputs = [blob, report, shared_objects],
        mnemonic = "PyStaticBlob",
        progress_message = "Packing the resource blob of %{label}",
    )
    return blob, report, shared_objects

def glue_action(ctx, runtime, settings, blob, report, object_format):
    """PyStaticGlue: the C glue (settings, extra inittab, the blob via .incbin).

    Args:
      ctx: the py_static_binary's rule context.
      runtime: the runtime toolchain's info (runtime_of).
      settings: the settings JSON File (settings_action).
      blob: the resource blob File (pack_action).
      report: the pack step's JSON report (the resolved entry point, the built-ins left out).
      object_format: "elf" or "coff" (Windows): the section the blob goes in.

    Returns:
      The glue C File.
    """
    glue = ctx.actions.declare_file(ctx.label.name + ".glue.c")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--settings", settings)
    args.add("--blob", blob)
    if object_format != "elf":
        args.add("--object_format", object_format)

    # The resolved entry point; the inittab, pruned by the report's builtins_left_out (stdlib = "imported").
    args.add("--report", report)
    dist = runtime.distribution
    args.add("--descriptor", dist.descriptor)
    args.add("--distribution", dist.distribution.path)
    sdist_builtins = [build.builtins for build in sdist_builds(ctx)]
    args.add_all(sdist_builtins, before_each = "--extensions_file")
    extra_inputs = extra_builtins_args(args, runtime)
    args.add("--output", glue)
    ctx.actions.run(
        executable = ctx.executable._gen_glue,
        arguments = [args],
        inputs = [settings, blob, report, dist.descriptor, dist.distribution] + sdist_builtins + extra_inputs,
        outputs = [glue],
        mnemonic = "PyStaticGlue",
        progress_message = "Generating the C glue of %{label}",
    )
    return glue
