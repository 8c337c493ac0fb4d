"""zig_runtime: zig's libraries for one target (musl libc, zig's libc parts, compiler_rt), one action;
with cxx = True its C++ runtime, which sdist builds of C++ extensions link (docs/extensions.md)."""

# The files every static link of the target uses, in link order after crt1.o (the wrapper's order).
# libubsan_rt.a: objects compiled without -O are zig's Debug mode with UBSan checks (configure's and
# make's helper programs); its members are linked only where referenced.
ZIG_RUNTIME_FILES = ["crt1.o", "libubsan_rt.a", "libc.a", "libzigc.a", "libcompiler_rt.a"]

# zig's C++ runtime, in the order its own `-lc++` link names them.
ZIG_CXX_RUNTIME_FILES = ["libc++abi.a", "libc++.a", "libunwind.a"]

def _zig_runtime_impl(ctx):
    if ctx.attr.cxx:
        outputs = [ctx.actions.declare_file("cxx_runtime/{}/{}".format(ctx.attr.target, name)) for name in ZIG_CXX_RUNTIME_FILES]
    else:
        outputs = [ctx.actions.declare_file("runtime/{}/{}".format(ctx.attr.target, name)) for name in ZIG_RUNTIME_FILES]
    lib = ctx.file.zig.dirname + "/lib"
    args = ctx.actions.args()
    args.add("--zig", ctx.file.zig)
    args.add("--lib", lib)
    args.add("--target", ctx.attr.target)
    args.add_all(outputs, before_each = "--output")
    if ctx.attr.cxx:
        args.add("--cxx")

        # The C++ probe's link also names the C runtime, which the other zig_runtime action outputs.
        args.add_all(ZIG_RUNTIME_FILES, before_each = "--also_linked")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = depset([ctx.file.zig, ctx.file._exec_tools], transitive = [depset(ctx.files.lib)]),
        outputs = outputs,
        mnemonic = "PyStaticZigCxxRuntime" if ctx.attr.cxx else "PyStaticZigRuntime",
        progress_message = "Building zig's {} for {}".format("libc++, libc++abi and libunwind" if ctx.attr.cxx else "libc and compiler_rt", ctx.attr.target),
    )
    return [DefaultInfo(files = depset(outputs))]

zig_runtime = rule(
    implementation = _zig_runtime_impl,
    doc = ("zig's musl libc, its own libc parts and compiler_rt for a target, built once by zig in the " +
           "action's own cache; the cc wrapper links them (PYSTATIC_ZIG_RUNTIME) so no link builds them."),
    attrs = {
        "cxx": attr.bool(doc = "Build the C++ runtime (ZIG_CXX_RUNTIME_FILES) instead of the C runtime."),
        "lib": attr.label(mandatory = True, allow_files = True, doc = "zig's lib/ files the build reads."),
        "target": attr.string(mandatory = True, doc = "zig target triple, e.g. x86_64-linux-musl."),
        "zig": attr.label(mandatory = True, allow_single_file = True, doc = "The zig executable (ziglang/zig)."),
        "_exec_tools": attr.label(
            default = "@pystatic_exec_tools//:fingerprint.txt",
            allow_single_file = True,
            doc = "The build machine's python3, make, perl, ... (real path, sha256): their change re-keys the action.",
        ),
        "_tool": attr.label(
            default = "@pystatic_distribution//actions:zig_runtime",
            executable = True,
            cfg = "exec",
        ),
    },
)
