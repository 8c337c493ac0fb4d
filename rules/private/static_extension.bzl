"""py_static_extension: a C extension module compiled with the target toolchain, linked in as a built-in.

The static executable cannot load a wheel's .so; this compiles the extension's C sources (from
the package's sdist, `pystatic.wheels(sdists = [...])`) against the static CPython's headers.
A py_static_binary with the target in `deps` links it and adds it to the inittab, so
`import pkg._ext` finds the built-in before any Python fallback.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain", "use_cpp_toolchain")
load("//toolchains/cpython:cc_compile.bzl", "cc_features", "python_headers")
load("//toolchains/cpython:runtime_info.bzl", "RUNTIME_TOOLCHAIN_TYPE", "runtime_of")
load(":dotted_name.bzl", "is_dotted_name")
load(":providers.bzl", "PyStaticExtensionInfo")

def _py_static_extension_impl(ctx):
    module = ctx.attr.module
    if not is_dotted_name(module):
        fail("{}: module '{}' is not a dotted module name (e.g. markupsafe._speedups).".format(ctx.label, module))
    runtime = runtime_of(ctx)
    cc_toolchain = find_cpp_toolchain(ctx)
    leaf = module.rpartition(".")[2]

    # Every built-in's init function shares one namespace: rename PyInit_<leaf> after the full name.
    init_function = "PyInit_pystatic_" + module.replace(".", "__")

    features = cc_features(ctx, cc_toolchain)

    # Native CcInfo, like cc_common: rules_cc 0.0.9 (Bazel 7's WORKSPACE default) has no cc_info.bzl.
    # buildifier: disable=native-cc-info
    deps_cc = [dep[CcInfo] for dep in ctx.attr.deps]

    # buildifier: disable=native-cc-common
    compilation, outputs = cc_common.compile(
        name = ctx.label.name,
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        srcs = [f for f in ctx.files.srcs if f.extension in ("c", "cc", "cpp")],
        private_hdrs = [f for f in ctx.files.srcs if f.extension in ("h", "hh", "hpp")] + ctx.files.hdrs,
        includes = ctx.attr.includes,
        compilation_contexts = [python_headers(runtime.distribution)] + [cc.compilation_context for cc in deps_cc],
        defines = ["PyInit_{}={}".format(leaf, init_function)] + ctx.attr.defines,
        user_compile_flags = ["-O2"] + ctx.attr.copts,
    )

    # buildifier: disable=native-cc-common
    linking, _ = cc_common.create_linking_context_from_compilation_outputs(
        name = ctx.label.name,
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        compilation_outputs = outputs,
        linking_contexts = [cc.linking_context for cc in deps_cc],
        disallow_dynamic_library = True,
    )
    return [
        DefaultInfo(files = depset(outputs.objects + outputs.pic_objects)),
        PyStaticExtensionInfo(module = module, init_function = init_function, linking_context = linking),
        # Allowed in py_static_binary's deps next to py_library targets.
        PyInfo(transitive_sources = depset()),
        # buildifier: disable=native-cc-info
        CcInfo(compilation_context = compilation, linking_context = linking),
    ]

_py_static_extension = rule(
    implementation = _py_static_extension_impl,
    doc = "A C extension module built from source into py_static_binary as a built-in (docs/wheels.md).",
    attrs = {
        "copts": attr.string_list(doc = "Extra compiler flags."),
        "defines": attr.string_list(doc = "Preprocessor definitions."),
        # buildifier: disable=native-cc-info
        "deps": attr.label_list(providers = [CcInfo], doc = "C libraries the extension links (cc_library)."),
        "hdrs": attr.label_list(allow_files = True, doc = "Headers the sources include."),
        "includes": attr.string_list(doc = "Include directories, relative to the execution root."),
        "module": attr.string(mandatory = True, doc = "Full module name, e.g. `markupsafe._speedups`."),
        "srcs": attr.label_list(allow_files = [".c", ".cc", ".cpp", ".h", ".hh", ".hpp"], mandatory = True),
    },
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain() + [RUNTIME_TOOLCHAIN_TYPE],
)

def py_static_extension(name, target_compatible_with = None, **kwargs):
    """A C extension module built into py_static_binary as a built-in; see the rule's attributes.

    Args:
      name: target name.
      target_compatible_with: default: linux-musl platforms, the ones with a static CPython.
      **kwargs: attributes of the rule.
    """
    if target_compatible_with == None:
        target_compatible_with = [Label("//platforms:musl")]
    _py_static_extension(name = name, target_compatible_with = target_compatible_with, **kwargs)

# The rule behind the macro, for the generated rule reference only (docs/reference).
PY_STATIC_EXTENSION_RULE = _py_static_extension
