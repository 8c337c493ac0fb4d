"""PyStaticRuntimeInfo: what the runtime toolchain gives py_static_binary and the package rules."""

PyStaticRuntimeInfo = provider(
    doc = "A platform's static CPython prepared for linking binaries (py_static_runtime).",
    fields = {
        "bolt_profile": "File or None: BOLT's profile (.fdata.xz) of the distribution's interpreter core, for the " +
                        "target's CPU (py_static_binary's bolt; docs/cpython.md, BOLT).",
        "build_distribution": "PyStaticDistributionInfo: the same Python built to run on the build machine (it compiles bytecode).",
        "distribution": "PyStaticDistributionInfo: the target's static CPython.",
        "ensurepip_packs": "dict of int to struct(blob, imports): ensurepip and its pip wheel from the CPython source, compiled " +
                           "per optimisation level; only py_static_interpreter embeds it (python -m venv).",
        "extra_builtins": "PyStaticExtraBuiltinsInfo or None: _curses, _curses_panel and readline compiled beside the " +
                          "distribution (cpython_extra_builtins); their archives are in static_library.",
        "python_api_exports": "File or None: Windows: a .def file exporting libpython's C API from every executable, " +
                              "for ctypes.pythonapi (GetProcAddress on the executable).",
        "runtime_hdrs": "list of File: the C runtime's headers (runtime/): the binary's generated glue includes them.",
        "runtime_objects": "CcCompilationOutputs: the C runtime (runtime/*.c) compiled once, linked into every binary.",
        "static_library": "File: the distribution's archives merged into one (libpython<ver>-static.a).",
        "stdlib_packs": "dict of int to struct(blob, imports): the standard library compiled per optimisation level.",
    },
)

RUNTIME_TOOLCHAIN_TYPE = "@rules_pystatic//toolchains/cpython:runtime_toolchain_type"

def runtime_of(ctx):
    """The PyStaticRuntimeInfo of the runtime toolchain resolved for ctx's target platform.

    None where the rule asked for the toolchain as optional and none matched.
    """
    toolchain = ctx.toolchains[RUNTIME_TOOLCHAIN_TYPE]
    return toolchain.pystatic_runtime if toolchain else None

def extra_builtins_args(args, runtime, directory = False):
    """Adds `--extra_builtins JSON` (and `--extra_builtins_dir DIR`) of the runtime's extra built-ins.

    Args:
      args: the action's Args.
      runtime: PyStaticRuntimeInfo.
      directory: also the directory (licence texts, archives).

    Returns:
      list of File: the inputs these arguments name.
    """
    extra = runtime.extra_builtins
    if not extra:
        return []
    args.add("--extra_builtins", extra.builtins)
    if not directory:
        return [extra.builtins]
    args.add("--extra_builtins_dir", extra.directory.path)
    return [extra.builtins, extra.directory]
