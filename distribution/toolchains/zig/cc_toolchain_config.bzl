"""zig_cc_toolchain_config: a static, reproducible C/C++ toolchain config for zig cc targets."""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "artifact_name_pattern",
    "env_entry",
    "env_set",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
)

_COMPILE_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _flags(actions, flags):
    return flag_set(actions = actions, flag_groups = [flag_group(flags = flags)])

def _zig_cc_toolchain_config_impl(ctx):
    # x86_64-windows-gnu: PE executables (.exe) against the UCRT (zig's mingw-w64); the rest is ELF.
    windows = ctx.attr.target.endswith("-windows-gnu")

    # tool_paths (not action_configs) keep Bazel's built-in action configs and their implied
    # features (libraries_to_link, user_link_flags, ...), which custom action_configs drop.
    tool_paths = [
        tool_path(name = "gcc", path = ctx.attr.cc),
        tool_path(name = "cpp", path = ctx.attr.cc),
        tool_path(name = "ld", path = ctx.attr.cc),
        tool_path(name = "ar", path = ctx.attr.ar),
        tool_path(name = "gcov", path = "/bin/false"),
        tool_path(name = "nm", path = "/bin/false"),
        tool_path(name = "objdump", path = "/bin/false"),
        tool_path(name = "strip", path = "/bin/false"),
    ]
    features = [
        feature(name = "supports_start_end_lib", enabled = False),
        feature(name = "supports_dynamic_linker", enabled = False),
        feature(
            name = "default_compile_flags",
            enabled = True,
            flag_sets = [
                # zig cc without -O means Debug with UBSan traps: every mode names its level.
                _flags(_COMPILE_ACTIONS, ["-fno-omit-frame-pointer", "-Wall", "-Werror=date-time"]),
                # No .eh_frame for C: the distribution's NO_UNWIND_TABLES (configure_make.py says why;
                # tests/actions/test_build_dep.py checks both name the same flags). C++ keeps its tables
                # for exceptions.
                # Windows x64 keeps them: its unwinder (longjmp, exceptions, crash reports) needs .pdata.
            ] + ([] if windows else [
                _flags([ACTION_NAMES.c_compile], ["-fno-asynchronous-unwind-tables", "-fno-unwind-tables"]),
            ]),
        ),
        feature(name = "dbg", flag_sets = [_flags(_COMPILE_ACTIONS, ["-O0", "-g"])]),
        feature(name = "fastbuild", flag_sets = [_flags(_COMPILE_ACTIONS, ["-O1"])]),
        feature(
            name = "opt",
            flag_sets = [_flags(_COMPILE_ACTIONS, ["-O2", "-DNDEBUG", "-ffunction-sections", "-fdata-sections"])],
        ),
        feature(
            name = "default_link_flags",
            enabled = True,
            flag_sets = [
                # -O2 at link: zig builds libc and compiler-rt in the link's mode (else Debug+UBSan).
                _flags(_LINK_ACTIONS, ["-static", "-O2", "-Wl,--gc-sections", "-Wl,--build-id=none"]),
            ],
        ),
        feature(name = "fully_static_link", flag_sets = [_flags(_LINK_ACTIONS, ["-static"])]),
    ]
    if ctx.files.runtime:
        # Links use zig's prebuilt libraries (zig_runtime, also in the toolchain's files) instead of
        # building them: the wrapper reads this (distribution/toolchains/zig/repositories.bzl).
        features.append(feature(
            name = "zig_runtime",
            enabled = True,
            env_sets = [env_set(
                actions = _LINK_ACTIONS,
                env_entries = [env_entry(key = "PYSTATIC_ZIG_RUNTIME_" + ctx.attr.target.replace("-", "_"), value = ctx.files.runtime[0].dirname)],
            )],
        ))

    # Native cc_common: rules_cc 0.0.9 (Bazel 7's WORKSPACE default) has no cc/common:cc_common.bzl.
    # buildifier: disable=native-cc-common
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "zig-{}-{}".format(ctx.attr.zig_version, ctx.attr.target),
        host_system_name = "local",
        target_system_name = ctx.attr.target,
        target_cpu = ctx.attr.cpu,
        target_libc = "musl" if ctx.attr.target.endswith("-musl") else ("ucrt" if windows else "unknown"),
        compiler = "zig",
        abi_version = "unknown",
        abi_libc_version = "unknown",
        tool_paths = tool_paths,
        artifact_name_patterns = [
            artifact_name_pattern(category_name = "executable", prefix = "", extension = ".exe"),
        ] if windows else [],
        features = features,
        cxx_builtin_include_directories = ctx.attr.builtin_include_directories,
    )

zig_cc_toolchain_config = rule(
    implementation = _zig_cc_toolchain_config_impl,
    doc = "CcToolchainConfigInfo for `zig cc -target <target>`: fully static, reproducible flags.",
    attrs = {
        "ar": attr.string(mandatory = True, doc = "Archiver wrapper, relative to the toolchain package."),
        "builtin_include_directories": attr.string_list(doc = "zig's own header dirs (absolute)."),
        "cc": attr.string(mandatory = True, doc = "Compiler/linker wrapper, relative to the toolchain package."),
        "cpu": attr.string(mandatory = True),
        "runtime": attr.label(allow_files = True, cfg = "exec", doc = "zig_runtime of the target: its directory is PYSTATIC_ZIG_RUNTIME of links."),
        "target": attr.string(mandatory = True, doc = "zig target triple, e.g. x86_64-linux-musl or x86_64-windows-gnu."),
        "zig_version": attr.string(mandatory = True),
    },
    provides = [CcToolchainConfigInfo],
)
