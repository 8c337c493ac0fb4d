"""The C steps of a py_static_binary: compile the runtime, the glue and the export table, link them
with the distribution's archives, and (compress_executable) the loader that carries the result."""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("//toolchains/cpython:cc_compile.bzl", "cc_features", "python_headers")
load(":binary_bolt.bzl", "bolt_action", "bolt_enabled")
load(":binary_deps.bzl", "linked_extensions", "sdist_builds")
load(":compression.bzl", "EXE_LOADER_BASE")

def compile_and_link(ctx, runtime, glue, blob, exports, system_libraries = []):
    """Compiles the glue and links it with the runtime's objects (and the loader of compress_executable).

    Args:
      ctx: the py_static_binary's rule context.
      runtime: the runtime toolchain's info (runtime_of): the C runtime and the distribution's archive.
      glue: the generated glue C File (glue_action).
      blob: the resource blob File, which the glue's .incbin reads.
      exports: the export table of the embedded shared objects (native_exports_action); None for
        Windows (no loader of shared objects: the link names the system libraries and `wmain`).
      system_libraries: `-l` names every link of the target adds (its row's: Windows' import libraries).

    Returns:
      (the executable, pack_exe's report or None, the linked application): with compress_executable
      the executable is the loader that carries the application.
    """
    cc_toolchain = find_cpp_toolchain(ctx)
    features = cc_features(ctx, cc_toolchain)

    # Separate compiles: the export table does not depend on the blob, so editing the app
    # recompiles only the glue, whose .incbin reads it. The C runtime comes compiled from the
    # runtime toolchain (once per platform), first on the link line.
    compiled = [runtime.runtime_objects]
    parts = ([("_exports", [exports.asm], [])] if exports else []) + [("", [glue], [blob])]
    for suffix, srcs, blob_inputs in parts:
        # buildifier: disable=native-cc-common
        _, outputs = cc_common.compile(
            name = ctx.label.name + suffix,
            actions = ctx.actions,
            feature_configuration = features,
            cc_toolchain = cc_toolchain,
            srcs = srcs,
            private_hdrs = runtime.runtime_hdrs,
            quote_includes = [runtime.runtime_hdrs[0].dirname],
            compilation_contexts = [python_headers(runtime.distribution)],
            # .incbin reads the blob: an input of the compile, though no #include names it.
            additional_inputs = blob_inputs,
            user_compile_flags = ["-O2"],
        )
        compiled.append(outputs)

    # buildifier: disable=native-cc-common
    outputs = cc_common.merge_compilation_outputs(compilation_outputs = compiled)

    # buildifier: disable=native-cc-common
    python_library = cc_common.create_library_to_link(
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        static_library = runtime.static_library,
    )

    # buildifier: disable=native-cc-common
    python_linking = cc_common.create_linking_context(
        # buildifier: disable=native-cc-common
        linker_inputs = depset([cc_common.create_linker_input(owner = ctx.label, libraries = depset([python_library]))]),
    )

    # Packages built from their sdists (PyStaticSdist): one static archive each.
    # buildifier: disable=native-cc-common
    sdist_linking = cc_common.create_linking_context(
        # buildifier: disable=native-cc-common
        linker_inputs = depset([cc_common.create_linker_input(owner = ctx.label, libraries = depset([
            # buildifier: disable=native-cc-common
            cc_common.create_library_to_link(
                actions = ctx.actions,
                feature_configuration = features,
                cc_toolchain = cc_toolchain,
                static_library = build.archive,
            )
            for build in sdist_builds(ctx)
        ]))]),
    )

    if exports:
        # Pulls the symbols the embedded shared objects need out of the archives (the table only refers to them weakly).
        link_flags, link_inputs = ["-Wl,--script={}".format(exports.link_script.path)], [exports.link_script]
    else:
        # Windows: runtime/main_windows.c's wmain (the wide command line), and Windows' import
        # libraries the distribution needs (ws2_32, bcrypt, ...; the runtime toolchain checked them).
        link_flags, link_inputs = ["-municode"] + ["-l" + name for name in system_libraries], []
        if runtime.python_api_exports:
            # The C API in the export table: ctypes.pythonapi finds it with GetProcAddress (lld
            # reads a .def input as its exports).
            link_flags.append(runtime.python_api_exports.path)
            link_inputs.append(runtime.python_api_exports)

    # Extensions first: their undefined Py* symbols resolve in the archive after them.
    linking_contexts = [ext.linking_context for ext in linked_extensions(ctx)] + [sdist_linking, python_linking]
    name = ctx.label.name + (".uncompressed" if ctx.attr.compress_executable else "")
    bolt_report = None
    if bolt_enabled(ctx, runtime):
        # The same link, replayed with relocations, then BOLT (binary_bolt.bzl): the CppLink's output is unused.
        application, bolt_report = bolt_action(
            ctx,
            runtime,
            features,
            cc_toolchain,
            outputs.objects or outputs.pic_objects,
            linking_contexts,
            link_flags,
            link_inputs,
            name,
        )
    else:
        # buildifier: disable=native-cc-common
        application = cc_common.link(
            name = name,
            actions = ctx.actions,
            feature_configuration = features,
            cc_toolchain = cc_toolchain,
            compilation_outputs = outputs,
            linking_contexts = linking_contexts,
            output_type = "executable",
            user_link_flags = link_flags,
            additional_inputs = link_inputs,
        ).executable
    if not ctx.attr.compress_executable:
        return application, None, application, bolt_report
    loader, report = _compress_executable(ctx, features, cc_toolchain, python_linking, application)
    return loader, report, application, bolt_report

def _compress_executable(ctx, features, cc_toolchain, python_linking, executable):
    """The loader of a compressed executable and pack_exe's JSON report.

    runtime/exe_loader.c and the payload pack_exe.py makes of `executable` are linked with the same
    archive: zstd's decoder and libc come from it (docs/compressed-executable.md).
    """
    payload = ctx.actions.declare_file(ctx.label.name + ".exe.payload")
    embed = ctx.actions.declare_file(ctx.label.name + ".exe_payload.c")
    report = ctx.actions.declare_file(ctx.label.name + ".exe.json")
    args = ctx.actions.args()
    args.add("--executable", executable)
    args.add("--target", str(ctx.label))
    args.add("--output", payload)
    args.add("--embed_c", embed)
    args.add("--report", report)
    args.add("--level", str(ctx.attr.compression_level))
    ctx.actions.run(
        executable = ctx.executable._pack_exe,
        arguments = [args],
        inputs = [executable],
        outputs = [payload, embed, report],
        mnemonic = "PyStaticPackExe",
        progress_message = "Compressing the executable of %{label} (zstd)",
    )

    # buildifier: disable=native-cc-common
    _, loader_objects = cc_common.compile(
        name = ctx.label.name + "_loader",
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        srcs = [ctx.file._exe_loader, embed],
        additional_inputs = [payload],
        user_compile_flags = ["-O2"],
    )

    # buildifier: disable=native-cc-common
    loader = cc_common.link(
        name = ctx.label.name,
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        compilation_outputs = loader_objects,
        linking_contexts = [python_linking],
        user_link_flags = ["-Wl,--image-base={}".format(EXE_LOADER_BASE)],
        output_type = "executable",
    )
    return loader.executable, report
