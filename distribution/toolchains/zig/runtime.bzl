"""zig_runtime: zig's libraries for one target (musl libc or mingw-w64's CRT, zig's libc parts,
compiler_rt), one action; with cxx = True its C++ runtime, which sdist builds of C++ extensions link
(docs/extensions.md)."""

# The files every static link of the target uses, in link order after crt1.o (the wrapper's order).
# libubsan_rt.a: objects compiled without -O are zig's Debug mode with UBSan checks (configure's and
# make's helper programs); its members are linked only where referenced.
ZIG_RUNTIME_FILES = ["crt1.o", "libubsan_rt.a", "libc.a", "libzigc.a", "libcompiler_rt.a"]

# windows-gnu: mingw-w64's start-up objects (crt2.obj for main, crt2u.obj for -municode's wmain: the
# same crtexe.c compiled twice), then what every link names in zig's order: mingw-w64's library,
# zig's libc parts (UCRT glue), UBSan's and compiler_rt, and the import libraries zig's own link
# passes by default (the UCRT's api-ms-win-crt-* sets, advapi32, kernel32, ntdll, shell32, user32).
# Other `-l` names (ws2_32, bcrypt, ...) stay zig's: it writes their import library from
# lib/libc/mingw's .def file in the link, which takes milliseconds.
ZIG_WINDOWS_STARTUP_FILES = ["crt2.obj", "crt2u.obj"]
ZIG_WINDOWS_LIBRARY_FILES = ["libmingw32.lib", "zigc.lib", "ubsan_rt.lib", "compiler_rt.lib"] + [
    "api-ms-win-crt-{}-l1-1-0.lib".format(part)
    for part in ["conio", "convert", "environment", "filesystem", "heap", "locale", "math", "multibyte", "private", "process", "runtime", "stdio", "string", "time", "utility"]
] + ["advapi32.lib", "kernel32.lib", "ntdll.lib", "shell32.lib", "user32.lib"]

def zig_runtime_files(target):
    """The files of `target`'s zig_runtime: struct(startup, libraries), each in the wrapper's link order.

    Args:
      target: a zig target triple (linux-musl or windows-gnu).

    Returns:
      struct(startup = list of names linked first, libraries = list of names linked after the objects).
    """
    if target.endswith("-windows-gnu"):
        return struct(startup = ZIG_WINDOWS_STARTUP_FILES, libraries = ZIG_WINDOWS_LIBRARY_FILES)
    return struct(startup = ZIG_RUNTIME_FILES[:1], libraries = ZIG_RUNTIME_FILES[1:])

# zig's C++ runtime, in the order its own `-lc++` link names them.
ZIG_CXX_RUNTIME_FILES = ["libc++abi.a", "libc++.a", "libunwind.a"]

def _zig_runtime_impl(ctx):
    if ctx.attr.cxx:
        outputs = [ctx.actions.declare_file("cxx_runtime/{}/{}".format(ctx.attr.target, name)) for name in ZIG_CXX_RUNTIME_FILES]
    else:
        files = zig_runtime_files(ctx.attr.target)
        outputs = [ctx.actions.declare_file("runtime/{}/{}".format(ctx.attr.target, name)) for name in files.startup + files.libraries]
    lib = ctx.file.zig.dirname + "/lib"
    args = ctx.actions.args()
    args.add("--zig", ctx.file.zig)
    args.add("--lib", lib)
    args.add("--target", ctx.attr.target)
    args.add_all(outputs, before_each = "--output")
    if ctx.attr.target.endswith("-windows-gnu"):
        # The second start-up object, copied from a probe with a wmain (-municode).
        args.add("--wide_entry_output", ZIG_WINDOWS_STARTUP_FILES[1])
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
        progress_message = "Building zig's {} for {}".format(
            "libc++, libc++abi and libunwind" if ctx.attr.cxx else ("mingw-w64 CRT" if ctx.attr.target.endswith("-windows-gnu") else "libc") + " and compiler_rt",
            ctx.attr.target,
        ),
    )
    return [DefaultInfo(files = depset(outputs))]

zig_runtime = rule(
    implementation = _zig_runtime_impl,
    doc = ("zig's musl libc (mingw-w64's CRT for windows-gnu), its own libc parts and compiler_rt for a target, built once by zig in the " +
           "action's own cache; the cc wrapper links them (PYSTATIC_ZIG_RUNTIME) so no link builds them."),
    attrs = {
        "cxx": attr.bool(doc = "Build the C++ runtime (ZIG_CXX_RUNTIME_FILES) instead of the C runtime."),
        "lib": attr.label(mandatory = True, allow_files = True, doc = "zig's lib/ files the build reads."),
        "target": attr.string(mandatory = True, doc = "zig target triple, e.g. x86_64-linux-musl or x86_64-windows-gnu."),
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
