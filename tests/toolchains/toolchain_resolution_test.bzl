"""Analysis tests: --platforms selects the right C toolchain, and its flags, for a cc_binary."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

def _action(env, mnemonic):
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == mnemonic]
    asserts.equals(env, 1, len(actions), "one {} action".format(mnemonic))
    return actions[0] if actions else None

def _argv(env, mnemonic):
    action = _action(env, mnemonic)
    return action.argv if action else [""]

def _zig_test_impl(ctx):
    env = analysistest.begin(ctx)
    triple = ctx.attr.triple
    compile_argv = _argv(env, "CppCompile")
    link_argv = _argv(env, "CppLink")
    for argv in (compile_argv, link_argv):
        asserts.true(env, argv[0].endswith("/bin/cc-" + triple), "zig wrapper for {}: {}".format(triple, argv[0]))

    # The wrapper names zig's version and wheel sha256: as an input, a zig upgrade re-runs the action.
    inputs = [f.short_path for f in _action(env, "CppCompile").inputs.to_list()]
    for tool in ["bin/cc-" + triple, "ziglang/zig"]:
        asserts.true(env, [p for p in inputs if p.endswith(tool)] != [], "{} is a compile input".format(tool))
    asserts.true(env, "-O1" in compile_argv, "fastbuild names its -O level (zig's default is Debug+UBSan)")
    for flag in ["-static", "-O2"]:
        asserts.true(env, flag in link_argv, "{} in link flags {}".format(flag, link_argv))
    return analysistest.end(env)

def _zig_windows_test_impl(ctx):
    """zig's x86_64-windows-gnu: the wrapper, a PE executable named .exe, unwind tables kept."""
    env = analysistest.begin(ctx)
    compile_argv = _argv(env, "CppCompile")
    link_argv = _argv(env, "CppLink")
    for argv in (compile_argv, link_argv):
        asserts.true(env, argv[0].endswith("/bin/cc-x86_64-windows-gnu"), "zig wrapper for windows: " + argv[0])
    asserts.true(env, "-O1" in compile_argv, "fastbuild names its -O level")
    asserts.false(env, "-fno-asynchronous-unwind-tables" in compile_argv, "Windows x64 keeps its unwind tables (.pdata)")
    for flag in ["-static", "-O2"]:
        asserts.true(env, flag in link_argv, "{} in link flags {}".format(flag, link_argv))
    outputs = [f.basename for f in _action(env, "CppLink").outputs.to_list()]
    asserts.equals(env, ["subject.exe"], outputs, "links subject.exe")
    return analysistest.end(env)

def _msvc_test_impl(ctx):
    env = analysistest.begin(ctx)
    compile_argv = _argv(env, "CppCompile")
    link_argv = _argv(env, "CppLink")
    asserts.true(env, compile_argv[0].endswith("/cl.exe"), "compiles with cl.exe: " + compile_argv[0])
    asserts.true(env, "/c" in compile_argv and "/nologo" in compile_argv, "MSVC compile flags: " + str(compile_argv))
    asserts.true(env, link_argv[0].endswith("/link.exe"), "links with link.exe: " + link_argv[0])
    asserts.true(env, "/MACHINE:X64" in link_argv, "MSVC link flags: " + str(link_argv))
    asserts.true(env, [a for a in link_argv if a.startswith("/OUT:") and a.endswith("subject.exe")] != [], "links subject.exe")
    return analysistest.end(env)

def _host_test_impl(ctx):
    env = analysistest.begin(ctx)
    tool = _argv(env, "CppLink")[0]
    asserts.false(env, "pystatic_zig" in tool or "pystatic_msvc" in tool, "host build keeps the host toolchain: " + tool)
    return analysistest.end(env)

def _platform(label):
    return {"//command_line_option:platforms": str(Label(label))}

zig_x86_64_test = analysistest.make(
    _zig_test_impl,
    attrs = {"triple": attr.string(default = "x86_64-linux-musl")},
    config_settings = _platform("//platforms:linux_musl"),
)

zig_aarch64_test = analysistest.make(
    _zig_test_impl,
    attrs = {"triple": attr.string(default = "aarch64-linux-musl")},
    config_settings = _platform("//platforms:linux_musl_aarch64"),
)

zig_windows_test = analysistest.make(_zig_windows_test_impl, config_settings = _platform("//platforms:windows_x86_64"))

msvc_test = analysistest.make(_msvc_test_impl, config_settings = _platform("//platforms:windows_msvc"))

host_test = analysistest.make(_host_test_impl)

def toolchain_resolution_test_suite(name):
    """Analysis tests of C toolchain selection for each supported platform and the host.

    Args:
      name: name of the test_suite.
    """
    subject = ":subject"
    tests = {
        "host_toolchain_test": host_test,
        "linux_musl_aarch64_toolchain_test": zig_aarch64_test,
        "linux_musl_toolchain_test": zig_x86_64_test,
        "windows_msvc_toolchain_test": msvc_test,
        "windows_x86_64_toolchain_test": zig_windows_test,
    }
    for test_name, make in tests.items():
        make(name = test_name, size = "small", target_under_test = subject)
    native.test_suite(name = name, tests = [":" + t for t in tests])
