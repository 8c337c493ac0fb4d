"""py_static_binary: a Python application as one fully static executable.

Actions, in order (each a actions/pystatic script; see docs/py_static_binary.md):
  PyStaticManifest  name the app's sources and data for import (resource_manifest.py)
  PyStaticBytecode  compile them with the build-machine CPython of the target's version
  PyStaticBlob      select the stdlib, check the entry point, pack the resource blob
  PyStaticGlue      generate the C glue: settings, extra inittab, the blob via .incbin
  CppCompile/CppLink  the C runtime + glue + the distribution's archives, target toolchain
  PyStaticVerifyElf validation: no program interpreter, no shared libraries
  PyStaticLicenses  <name>.licenses.json: licences of CPython, its C libraries and embedded dists
  PyStaticLicensePolicy, PyStaticSbom  licenses_denied; <name>.spdx.json, <name>.cdx.json (sbom.bzl)
The standard library's bytecode comes precompiled from the runtime toolchain (py_static_runtime).
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain", "use_cpp_toolchain")
load("@pystatic_distribution//toolchains:python_builds.bzl", "PYTHON_BUILDS")
load("@pystatic_distribution//toolchains:targets.bzl", "TARGETS")
load("//toolchains/cpython:runtime.bzl", "OPTIMIZE_LEVELS", "build_python_action", "package_files")
load("//toolchains/cpython:runtime_info.bzl", "RUNTIME_TOOLCHAIN_TYPE", "extra_builtins_args", "runtime_of")
load(":compression.bzl", "EXE_LOADER_BASE", "zstd_linked", "zstd_payloads", "zstd_shipped")
load(":dotted_name.bzl", "is_dotted_name")
load(":native_wheels.bzl", "check_native_exports_action", "native_exports_action", "wheel_natives")
load(":platform_transition.bzl", "binary_transition")
load(":providers.bzl", "PyStaticExtensionInfo", "PyStaticSdistInfo", "PyStaticWheelCheckInfo")
load(":python_headers.bzl", "python_headers")
load(":resources.bzl", "import_roots", "manifest_action")
load(":sbom.bzl", "SBOM_ATTRS", "sbom_actions")

ALLOCATORS = ["mimalloc", "pymalloc", "malloc"]
STDLIB_MODES = ["all", "imported"]

def _entry_point(ctx):
    """(module or "", function or "", main file or None), with analysis errors for bad combinations."""
    if len([a for a in [ctx.attr.main, ctx.attr.entry_point, ctx.attr.console_script] if a]) > 1:
        fail("{}: set only one of main, entry_point and console_script.".format(ctx.label))
    if ctx.attr.interpreter:
        if ctx.attr.main or ctx.attr.entry_point or ctx.attr.console_script:
            fail(("{}: an interpreter runs its command line (-c, -m, a script), not an entry point. " +
                  "Fix: remove main/entry_point/console_script, or use py_static_binary.").format(ctx.label))
        return "", "", None
    if ctx.attr.console_script:
        return "", "", None
    if ctx.attr.entry_point:
        module, _, function = ctx.attr.entry_point.partition(":")
        if not is_dotted_name(module) or (function and not is_dotted_name(function)):
            fail("{}: entry_point '{}' is not 'package.module' or 'package.module:function'.".format(ctx.label, ctx.attr.entry_point))
        return module, function, None
    main = ctx.file.main
    if main == None:
        default = [f for f in ctx.files.srcs if f.basename == ctx.label.name + ".py"]
        if not default:
            fail(("{}: no entry point. Fix: set main = \"<file in srcs>.py\" (run as __main__) or " +
                  "entry_point = \"package.module:function\" (or name a srcs file {}.py).").format(ctx.label, ctx.label.name))
        main = default[0]
    if main not in ctx.files.srcs:
        fail("{}: main {} is not in srcs. Fix: add it to srcs.".format(ctx.label, main.short_path))
    return "", "", main

def _py_deps(ctx):
    """(sources depset, data files list, import roots list) of deps (PyInfo + their runfiles)."""
    transitive, data, roots = [], [], []
    for dep in ctx.attr.deps:
        info = dep[PyInfo]
        transitive.append(info.transitive_sources)

        # PyInfo.imports are runfiles paths "<repository>/<dir>"; roots are repository-relative.
        roots.extend([path.partition("/")[2] for path in info.imports.to_list()])
        data.extend([f for f in dep[DefaultInfo].default_runfiles.files.to_list() if not f.is_directory and f.extension != "py"])
    return depset(transitive = transitive), data, roots

def _bytecode(ctx, runtime, manifest, files):
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

def _settings(ctx):
    """Writes <name>.settings.json: every attribute-derived setting of the pack and glue steps.

    One spelling for both (actions/pystatic/binary/settings.py reads it; its defaults are the rule's).
    """
    entry_module, entry_function, main = _entry_point(ctx)
    settings = ctx.actions.declare_file(ctx.label.name + ".settings.json")
    ctx.actions.write(settings, json.encode(struct(
        target = str(ctx.label),
        entry_point = struct(
            module = entry_module,
            function = entry_function,
            main = main.path if main else "",
            console_script = ctx.attr.console_script,
        ),
        interpreter = ctx.attr.interpreter,
        stdlib_mode = ctx.attr.stdlib,
        stdlib_include = ctx.attr.stdlib_include,
        stdlib_exclude = ctx.attr.stdlib_exclude,
        include_sources = ctx.attr.include_sources,
        stdlib_sources = ctx.attr.stdlib_sources,
        zstd_level = ctx.attr.compression_level if zstd_linked(ctx) else None,
        zstd_payloads = zstd_payloads(ctx),
        extract_packages = ctx.attr.extract_packages,
        file_view = ctx.attr.file_view,
        allocator = ctx.attr.allocator,
        optimize = ctx.attr.optimize,
        utf8_mode = ctx.attr.utf8_mode,
        use_environment = ctx.attr.use_environment,
        buffered_stdio = ctx.attr.buffered_stdio,
        # The blob serves the stdlib: CPython's frozen copies of os, codecs, io, ... stay out of the
        # link (an interpreter keeps them: CPython's tests import the frozen test modules).
        frozen_bootstrap_only = not ctx.attr.interpreter,
        zstd_linked = zstd_linked(ctx),
        extensions = [[ext.module, ext.init_function] for ext in _extensions(ctx)],
    )))
    return settings

def _wheel_checks(ctx):
    """What the wheel checks of the deps left out (PyStaticWheel's JSON): the pack step refuses imports of it."""
    return depset(transitive = [dep[PyStaticWheelCheckInfo].left_out for dep in ctx.attr.deps if PyStaticWheelCheckInfo in dep]).to_list()

def _pack(ctx, runtime, settings, app_blob, app_imports):
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

def _glue(ctx, runtime, settings, blob, report):
    glue = ctx.actions.declare_file(ctx.label.name + ".glue.c")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--settings", settings)
    args.add("--blob", blob)

    # The resolved entry point; the inittab, pruned by the report's builtins_left_out (stdlib = "imported").
    args.add("--report", report)
    dist = runtime.distribution
    args.add("--descriptor", dist.descriptor)
    args.add("--distribution", dist.distribution.path)
    sdist_builtins = [build.builtins for build in _sdist_builds(ctx)]
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

def _compile_and_link(ctx, runtime, glue, blob, exports):
    """Compiles the runtime and glue and links the application (and the loader of compress_executable).

    Returns:
      (the executable, pack_exe's report or None, the linked application): with compress_executable
      the executable is the loader that carries the application.
    """
    cc_toolchain = find_cpp_toolchain(ctx)

    # Native cc_common: rules_cc 0.0.9 (Bazel 7's WORKSPACE default) has no cc/common:cc_common.bzl.
    # buildifier: disable=native-cc-common
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )

    # Separate compiles: the runtime's sources and the export table do not depend on the blob, so
    # editing the app recompiles only the glue, whose .incbin reads it.
    compiled = []
    for suffix, srcs, blob_inputs in [("_runtime", runtime.runtime_srcs, []), ("_exports", [exports.asm], []), ("", [glue], [blob])]:
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
            for build in _sdist_builds(ctx)
        ]))]),
    )

    # buildifier: disable=native-cc-common
    linked = cc_common.link(
        name = ctx.label.name + (".uncompressed" if ctx.attr.compress_executable else ""),
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        compilation_outputs = outputs,
        # Extensions first: their undefined Py* symbols resolve in the archive after them.
        linking_contexts = [ext.linking_context for ext in _extensions(ctx)] + [sdist_linking, python_linking],
        output_type = "executable",
        # Pulls the symbols the embedded shared objects need out of the archives (the table only refers to them weakly).
        user_link_flags = ["-Wl,--script={}".format(exports.link_script.path)],
        additional_inputs = [exports.link_script],
    )
    if not ctx.attr.compress_executable:
        return linked.executable, None, linked.executable
    loader, report = _compress_executable(ctx, features, cc_toolchain, python_linking, linked.executable)
    return loader, report, linked.executable

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

def _extensions(ctx):
    return [dep[PyStaticExtensionInfo] for dep in ctx.attr.deps if PyStaticExtensionInfo in dep]

def _sdist_builds(ctx):
    """Packages built from their sdists (pystatic.wheels(build_from_source)), deps' deps included."""
    return depset(transitive = [dep[PyStaticSdistInfo].builds for dep in ctx.attr.deps if PyStaticSdistInfo in dep]).to_list()

def _target_row(ctx, runtime):
    """The target's row of TARGETS, by the runtime's triple."""
    triple = runtime.distribution.target_triple
    if triple not in TARGETS:
        fail("{}: the runtime's target {} has no row in @pystatic_distribution//toolchains:targets.bzl (known: {}).".format(
            ctx.label,
            triple,
            ", ".join(TARGETS),
        ))
    return TARGETS[triple]

def _elf_machine(ctx, runtime):
    """The e_machine of the target's executables."""
    return _target_row(ctx, runtime).elf_machine

def _verify(ctx, runtime, executable):
    stamp = ctx.actions.declare_file(ctx.label.name + ".static.ok")
    args = ctx.actions.args()
    args.add(executable)
    args.add("--elf_machine", _elf_machine(ctx, runtime))
    args.add("--stamp", stamp)
    ctx.actions.run(
        executable = ctx.executable._verify_elf,
        arguments = [args],
        inputs = [executable],
        outputs = [stamp],
        mnemonic = "PyStaticVerifyElf",
        progress_message = "Checking that %{label} is fully static",
    )
    return stamp

def _licenses(ctx, runtime, blob, pack_report):
    report = ctx.actions.declare_file(ctx.label.name + ".licenses.json")
    dist = runtime.distribution
    args = ctx.actions.args()
    args.add("--target", str(ctx.label))
    args.add("--descriptor", dist.descriptor)
    args.add("--distribution", dist.distribution.path)
    args.add("--blob", blob)
    args.add("--report", pack_report)  # the built-ins left out of the inittab: their libraries are not linked
    if zstd_shipped(ctx):
        args.add("--runtime_lib", "zstd")
    extra_inputs = extra_builtins_args(args, runtime, directory = True)
    args.add("--output", report)
    ctx.actions.run(
        executable = ctx.executable._licenses,
        arguments = [args],
        inputs = [dist.descriptor, dist.distribution, blob, pack_report] + extra_inputs,
        outputs = [report],
        mnemonic = "PyStaticLicenses",
        progress_message = "Listing the licences of what %{label} contains",
    )
    return report

def _py_static_binary_impl(ctx):
    runtime = runtime_of(ctx)
    settings = _settings(ctx)
    dep_sources, dep_data, dep_roots = _py_deps(ctx)
    files = depset(ctx.files.srcs + ctx.files.data + dep_data, transitive = [dep_sources]).to_list()
    manifest = manifest_action(ctx, files, import_roots(ctx) + dep_roots)
    app_blob, app_imports = _bytecode(ctx, runtime, manifest, files)
    blob, report, shared_objects = _pack(ctx, runtime, settings, app_blob, app_imports)
    glue = _glue(ctx, runtime, settings, blob, report)

    # An interpreter exports libpython, zlib and libc whole: musllinux wheels on disk load too.
    broad_from = runtime.static_library if ctx.attr.interpreter else None
    exports = native_exports_action(ctx, shared_objects, _target_row(ctx, runtime), broad_from)

    # `application`: the linked application itself (with compress_executable, what the loader carries).
    executable, exe_report, application = _compile_and_link(ctx, runtime, glue, blob, exports)
    stamp = _verify(ctx, runtime, executable)
    exports_ok = check_native_exports_action(ctx, application, exports)
    licenses = _licenses(ctx, runtime, blob, report)
    spdx, cdx, policy = sbom_actions(ctx, runtime, blob, report, executable)
    return [
        DefaultInfo(executable = executable, files = depset([executable, licenses, spdx, cdx])),
        OutputGroupInfo(
            blob = depset([blob, report] + ([exe_report] if exe_report else [])),
            licenses_policy = depset([policy]),
            _validation = depset([stamp, policy, exports_ok]),
        ),
    ]

_py_static_binary = rule(
    implementation = _py_static_binary_impl,
    executable = True,
    cfg = binary_transition,
    doc = "A Python application as one fully static executable (docs/py_static_binary.md).",
    attrs = dict(SBOM_ATTRS, **{
        "allocator": attr.string(
            default = "mimalloc",
            values = ALLOCATORS,
            doc = "CPython's memory allocator: mimalloc (bundled with CPython 3.13, the default), pymalloc, or malloc (musl's: slow).",
        ),
        "buffered_stdio": attr.bool(default = True, doc = "False: unbuffered stdout/stderr (python -u)."),
        "compress": attr.bool(
            default = False,
            doc = "zstd-compress each resource when that pays (bytecode and sources when they shrink, data files as " +
                  "compress_data), bytecode too, with one zstd dictionary for every payload: " +
                  "smaller, and decompression at every first import (hello: +5 % start-up instructions).",
        ),
        "compress_data": attr.bool(
            default = True,
            doc = "zstd-compress the embedded data and metadata files (not shared objects), each only when that " +
                  "saves at least 10 % of its bytes; a compressed file is decompressed when read (bytecode stays " +
                  "uncompressed: imports unchanged). Links libzstd (0.23 MB) when there are data files.",
        ),
        "compress_executable": attr.bool(
            default = False,
            doc = "Ship the executable zstd-compressed inside a small loader that decompresses it in memory at " +
                  "start (no file written): about half the size, about 2.5 times the start-up time " +
                  "(docs/compressed-executable.md).",
        ),
        "compress_sources": attr.bool(
            default = True,
            doc = "zstd-compress the embedded sources only (read for tracebacks, never at import: start-up unchanged); " +
                  "links libzstd (0.23 MB) when there are sources.",
        ),
        "compression_level": attr.int(default = 10, doc = "zstd level when compress, compress_data, compress_sources or compress_executable is set."),
        "console_script": attr.string(
            doc = "Name of a `console_scripts` entry point of an embedded wheel (e.g. `pygmentize`) to run, resolved at " +
                  "build time from the wheel's entry_points.txt (docs/wheels.md). Not with main or entry_point.",
        ),
        "data": attr.label_list(allow_files = True, doc = "Package data files, read with importlib.resources."),
        "deps": attr.label_list(
            providers = [PyInfo],
            doc = "py_library, pystatic_resources or wheel (`@pypi//pkg`, docs/wheels.md) targets: their transitive " +
                  "sources, import roots and data files (runfiles); py_static_extension targets are linked in as built-in modules.",
        ),
        "entry_point": attr.string(
            doc = "`package.module:function` to call (its return value is the exit status), or `package.module` to run " +
                  "as __main__. Not with main.",
        ),
        "extract_packages": attr.string_list(
            doc = "Packages whose files C code must open by path (a shared library, a CA file, a database): written " +
                  "once to a cache directory named by the blob's sha256 on first import, `__file__`/`__path__` point " +
                  "there (docs/import-protocol.md, Files inside the binary).",
        ),
        "file_view": attr.bool(
            default = True,
            doc = "Serve Python's file APIs (open, os.stat, os.listdir, pathlib, ...) below sys.executable from the embedded tree, read-only.",
        ),
        "imports": attr.string_list(doc = "Import roots, relative to this package, as in py_library; the repository root is always one."),
        "interpreter": attr.bool(
            default = False,
            doc = "Behave like python3 (command line, REPL, environment, sys.path); set by py_static_interpreter.",
        ),
        "include_sources": attr.bool(default = True, doc = "Embed the app's sources (tracebacks show lines)."),
        "main": attr.label(allow_single_file = [".py"], doc = "File in srcs run as __main__ (default: <name>.py)."),
        "python_version": attr.string(
            doc = ("The Python build, one of {}: overrides --@rules_pystatic//python:version for this target and its deps " +
                   "(runtime, wheels, sdist builds; a transition). \"3.13t\" is free-threaded (no GIL). The executable is then " +
                   "under bazel-out/<platform>-fastbuild-ST-<hash>/, not bazel-bin/: use bazel run or bazel cquery --output=files.").format(", ".join(PYTHON_BUILDS)),
        ),
        "platform": attr.label(
            doc = "The linux-musl platform to build for when the command line names none (a plain `bazel build`/`bazel run`): " +
                  "default the host CPU's (`@rules_pystatic//platforms:linux_musl` on x86_64). A transition sets it; " +
                  "`--platforms` wins (cross builds). docs/py_static_binary.md, Platforms.",
        ),
        "optimize": attr.int(default = 0, values = OPTIMIZE_LEVELS, doc = "Bytecode optimisation level (python -O/-OO)."),
        "srcs": attr.label_list(allow_files = [".py"], doc = "The app's Python sources."),
        "stdlib": attr.string(
            default = "imported",
            values = STDLIB_MODES,
            doc = "Which stdlib modules (and built-in extension modules) to embed: those the app's code imports, " +
                  "transitively (the default; modules imported by a computed name need stdlib_include), or all " +
                  "(py_static_interpreter's default). See docs/py_static_binary.md, The import closure.",
        ),
        "stdlib_exclude": attr.string_list(doc = "Stdlib modules or packages to leave out (their imports are not followed)."),
        "stdlib_include": attr.string_list(doc = "Stdlib modules or packages to embed in any case (dynamic imports)."),
        "stdlib_sources": attr.bool(default = True, doc = "Embed the stdlib's sources (tracebacks show lines)."),
        "use_environment": attr.bool(default = False, doc = "Honour PYTHON* environment variables (off: the binary is sealed)."),
        "utf8_mode": attr.bool(default = True, doc = "Python UTF-8 mode (an empty root has no locale)."),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
        "_exe_loader": attr.label(default = "//runtime:exe_loader.c", allow_single_file = True),
        "_compile_bytecode": attr.label(default = "//actions:pystatic/binary/compile_bytecode.py", allow_single_file = True),
        "_compile_bytecode_package": attr.label(default = "//actions:binary.compile_bytecode", providers = [PyInfo]),
        "_gen_glue": attr.label(default = "//actions:gen_glue", executable = True, cfg = "exec"),
        "_licenses": attr.label(default = "//actions:licenses", executable = True, cfg = "exec"),
        "_pack_blob": attr.label(default = "//actions:pack_blob", executable = True, cfg = "exec"),
        "_pack_exe": attr.label(default = "//actions:pack_exe", executable = True, cfg = "exec"),
        "_resource_manifest": attr.label(default = "//actions:resource_manifest", executable = True, cfg = "exec"),
        "_verify_elf": attr.label(default = "//actions:verify_elf", executable = True, cfg = "exec"),
        "_native_exports": attr.label(default = "//actions:native_exports", executable = True, cfg = "exec"),
        "_check_native_exports": attr.label(default = "//actions:check_native_exports", executable = True, cfg = "exec"),
        # musl's exported-symbol list (zig's): the C library's names an interpreter exports.
        "_musl_libc_symbols": attr.label(default = "@pystatic_zig//:ziglang/lib/libc/musl/libc.S", allow_single_file = True),
    }),
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain() + [RUNTIME_TOOLCHAIN_TYPE],
)

def py_static_binary(name, target_compatible_with = None, **kwargs):
    """A Python application as one fully static executable; see the rule's attributes.

    Args:
      name: target name (and executable name).
      target_compatible_with: default: linux-musl platforms, the ones with a static CPython.
      **kwargs: attributes of the rule.
    """
    if target_compatible_with == None:
        target_compatible_with = [Label("//platforms:musl")]
    _py_static_binary(name = name, target_compatible_with = target_compatible_with, **kwargs)

def py_static_interpreter(name, target_compatible_with = None, **kwargs):
    """A static python3: the embedded stdlib (and deps) with python3's command line.

    `-c`, `-m`, a script, `-` / stdin, the REPL, python3's flags and PYTHON* variables; sys.path is
    [the executable, PYTHONPATH...] after the script's directory, so embedded modules come first and
    files on disk after (docs/py_static_binary.md#py_static_interpreter).

    Args:
      name: target name (and executable name).
      target_compatible_with: default: linux-musl platforms.
      **kwargs: attributes of py_static_binary but main, entry_point, console_script.
    """
    for attribute in ("main", "entry_point", "console_script", "interpreter", "use_environment"):
        if attribute in kwargs:
            fail("//{}:{}: py_static_interpreter has no '{}' attribute: it runs python3's command line and honours PYTHON* variables (-E / -I turn them off).".format(native.package_name(), name, attribute))

    # Its command line may import any module: the whole stdlib unless told otherwise.
    kwargs.setdefault("stdlib", "all")
    py_static_binary(name = name, target_compatible_with = target_compatible_with, interpreter = True, use_environment = True, **kwargs)

# The rule behind the macros, for the generated rule reference only (docs/reference).
PY_STATIC_BINARY_RULE = _py_static_binary
