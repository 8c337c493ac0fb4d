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

This file holds the rule, its attributes and the macros; the steps are in binary_settings.bzl (the
settings JSON), binary_pack.bzl (bytecode, blob, glue), binary_link.bzl (compile, link, compressed
executable), binary_checks.bzl (static check, licences) and sbom.bzl; binary_deps.bzl reads the deps.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "use_cpp_toolchain")
load("@pystatic_distribution//toolchains:python_builds.bzl", "PYTHON_BUILDS")
load("//toolchains/cpython:runtime.bzl", "OPTIMIZE_LEVELS")
load("//toolchains/cpython:runtime_info.bzl", "RUNTIME_TOOLCHAIN_TYPE", "runtime_of")
load(":binary_bolt.bzl", "BOLT_MODES", "bolt_tools")
load(":binary_checks.bzl", "licenses_action", "target_row", "verify_action")
load(":binary_deps.bzl", "py_deps")
load(":binary_link.bzl", "compile_and_link")
load(":binary_pack.bzl", "bytecode_action", "glue_action", "pack_action")
load(":binary_settings.bzl", "settings_action")
load(":native_wheels.bzl", "check_native_exports_action", "native_exports_action", "wheel_natives")
load(":platform_transition.bzl", "binary_transition")
load(":resources.bzl", "import_roots", "manifest_action")
load(":sbom.bzl", "SBOM_ATTRS", "sbom_actions")

ALLOCATORS = ["mimalloc", "pymalloc", "malloc"]
STDLIB_MODES = ["all", "imported"]

def _windows_checks(ctx):
    """Fails naming what a py_static_binary for Windows cannot do yet (docs/windows.md, Status)."""
    if ctx.attr.compress_executable:
        fail("{}: compress_executable is not available for Windows targets (its loader maps ELF segments: " +
             "docs/compressed-executable.md). Fix: leave compress_executable unset for Windows builds.".format(ctx.label))
    natives = wheel_natives(ctx)
    if natives:
        fail(("{}: Windows binaries cannot load wheels' extension modules yet (no loader of DLLs from memory: " +
              "docs/windows.md): {}. Fix: lock the package's sdist too (pystatic.wheels then builds its extension modules " +
              "for Windows from it, as built-ins), or leave that package out of the Windows build.").format(
            ctx.label,
            ", ".join(sorted([n.path for n in natives])),
        ))

def _py_static_binary_impl(ctx):
    runtime = runtime_of(ctx)
    row = target_row(ctx, runtime)
    windows = row.os == "windows"
    if windows:
        _windows_checks(ctx)
    settings = settings_action(ctx)
    dep_sources, dep_data, dep_roots = py_deps(ctx)
    sources = depset(ctx.files.srcs, transitive = [dep_sources]).to_list()
    is_source = {f: None for f in sources}
    data = [f for f in depset(ctx.files.data + dep_data).to_list() if f not in is_source]
    files = sources + data
    manifest = manifest_action(ctx, sources, data, import_roots(ctx) + dep_roots)
    app_blob, app_imports = bytecode_action(ctx, runtime, manifest, files)
    blob, report, shared_objects = pack_action(ctx, runtime, settings, app_blob, app_imports)
    glue = glue_action(ctx, runtime, settings, blob, report, "coff" if windows else "elf")

    # An interpreter exports libpython, zlib and libc whole: musllinux wheels on disk load too.
    # Windows has no loader of shared objects (_windows_checks): no export table.
    broad_from = runtime.static_library if ctx.attr.interpreter else None
    exports = None if windows else native_exports_action(ctx, shared_objects, row, broad_from)

    # `application`: the linked application itself (with compress_executable, what the loader carries).
    executable, exe_report, application, bolt_report = compile_and_link(ctx, runtime, glue, blob, exports, row.system_libraries)
    stamp = verify_action(ctx, runtime, executable)
    exports_ok = [check_native_exports_action(ctx, application, exports)] if exports else []
    licenses = licenses_action(ctx, runtime, blob, report)
    spdx, cdx, policy = sbom_actions(ctx, runtime, blob, report, executable)
    return [
        DefaultInfo(executable = executable, files = depset([executable, licenses, spdx, cdx])),
        OutputGroupInfo(
            blob = depset([blob, report] + ([exe_report] if exe_report else [])),
            bolt = depset([bolt_report] if bolt_report else []),
            licenses_policy = depset([policy]),
            _validation = depset([stamp, policy] + exports_ok),
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
        "bolt": attr.string(
            default = "auto",
            values = BOLT_MODES,
            doc = "LLVM's BOLT after the link, with the profile of the CPython build's interpreter core " +
                  "(docs/cpython.md, BOLT): `auto` in `-c opt` builds for x86_64 (the GIL build: the one with a " +
                  "profile), `on` in every build (fails where there is no profile), `off`. pyperformance 0.93-0.94 of " +
                  "Debian's python3.13 instead of 0.98; about 30 s more per link; the binary grows by the optimised " +
                  "copy of the code it runs (python3 24 -> 32 MB).",
        ),
        "buffered_stdio": attr.bool(default = True, doc = "False: unbuffered stdout/stderr (python -u)."),
        "compress": attr.bool(
            default = False,
            doc = "zstd-compress each resource when that pays (bytecode and sources when they shrink, data files as " +
                  "compress_data), bytecode too, with one zstd dictionary for every payload: " +
                  "smaller, and decompression at every first import (hello: +5 % start-up instructions).",
        ),
        "compress_cold_bytecode": attr.bool(
            default = True,
            doc = "zstd-compress the bytecode of the modules (the standard library's and the app's) that start-up " +
                  "does not import: those only functions import, plugins loaded by name, parts of packages loaded " +
                  "on demand, what a wheel carries that nothing imports; decompressed at their first import, if " +
                  "any. What importing the entry point's module imports stays uncompressed, so start-up is " +
                  "unchanged. Links libzstd (0.23 MB) when nothing else does.",
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
        "native_debug_info": attr.bool(
            default = False,
            doc = "Keep the DWARF debug sections (`.debug_*`) of the wheels' shared objects: by default they are dropped " +
                  "when embedded (nothing reads them at run time; symbol tables stay), e.g. PyYAML's _yaml 1.96 -> 0.40 MB.",
        ),
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
        "llvm_bolt": attr.label(
            allow_files = True,
            cfg = "exec",
            doc = "Set by the py_static_binary macro from `bolt` (leave it unset): LLVM's llvm-bolt and its libraries.",
        ),
        "_bolt": attr.label(default = "//actions:bolt", executable = True, cfg = "exec"),
        "_exe_loader": attr.label(default = "//runtime:exe_loader.c", allow_single_file = True),
        "_compile_bytecode": attr.label(default = "//actions:pystatic/binary/compile_bytecode.py", allow_single_file = True),
        "_compile_bytecode_package": attr.label(default = "//actions:binary.compile_bytecode", providers = [PyInfo]),
        "_gen_glue": attr.label(default = "//actions:gen_glue", executable = True, cfg = "exec"),
        "_licenses": attr.label(default = "//actions:licenses", executable = True, cfg = "exec"),
        "_pack_blob": attr.label(default = "//actions:pack_blob", executable = True, cfg = "exec"),
        "_pack_exe": attr.label(default = "//actions:pack_exe", executable = True, cfg = "exec"),
        "_resource_manifest": attr.label(default = "//actions:resource_manifest", executable = True, cfg = "exec"),
        "_verify_elf": attr.label(default = "//actions:verify_elf", executable = True, cfg = "exec"),
        "_verify_pe": attr.label(default = "//actions:verify_pe", executable = True, cfg = "exec"),
        "_native_exports": attr.label(default = "//actions:native_exports", executable = True, cfg = "exec"),
        "_check_native_exports": attr.label(default = "//actions:check_native_exports", executable = True, cfg = "exec"),
        # musl's exported-symbol list (zig's): the C library's names an interpreter exports.
        "_musl_libc_symbols": attr.label(default = "@pystatic_zig//:ziglang/lib/libc/musl/libc.S", allow_single_file = True),
        # zig ld.lld and zig objcopy for PyStaticBolt (the C toolchain's own zig).
        "_zig": attr.label(default = "@pystatic_zig//:zig", allow_single_file = True, cfg = "exec"),
    }),
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain() + [RUNTIME_TOOLCHAIN_TYPE],
)

def _with_static_cpython():
    """target_compatible_with of the platforms with a static CPython: linux-musl and Windows (ucrt)."""
    return select({
        Label("//platforms:musl"): [],
        Label("//platforms:ucrt"): [],
        "//conditions:default": [Label("@platforms//:incompatible")],
    })

def py_static_binary(name, target_compatible_with = None, **kwargs):
    """A Python application as one fully static executable; see the rule's attributes.

    Args:
      name: target name (and executable name; `<name>.exe` for Windows).
      target_compatible_with: default: the platforms with a static CPython (linux-musl; Windows x86_64,
        docs/windows.md).
      **kwargs: attributes of the rule.
    """
    if target_compatible_with == None:
        target_compatible_with = _with_static_cpython()
    if "llvm_bolt" not in kwargs:
        kwargs["llvm_bolt"] = bolt_tools(kwargs.get("bolt", "auto"))
    _py_static_binary(name = name, target_compatible_with = target_compatible_with, **kwargs)

def py_static_interpreter(name, target_compatible_with = None, **kwargs):
    """A static python3: the embedded stdlib (and deps) with python3's command line.

    `-c`, `-m`, a script, `-` / stdin, the REPL, python3's flags and PYTHON* variables; sys.path is
    [the executable, PYTHONPATH...] after the script's directory, so embedded modules come first and
    files on disk after (docs/py_static_binary.md#py_static_interpreter).

    Args:
      name: target name (and executable name).
      target_compatible_with: default: the platforms with a static CPython (linux-musl; Windows x86_64).
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
