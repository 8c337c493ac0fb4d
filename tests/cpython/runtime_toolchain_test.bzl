"""Analysis tests: the runtime toolchain resolves to the CPython distribution built for the target."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//toolchains/cpython:runtime_info.bzl", "RUNTIME_TOOLCHAIN_TYPE", "runtime_of")

def _resolved_runtime_impl(ctx):
    dist = runtime_of(ctx).distribution
    return [DefaultInfo(files = depset([dist.descriptor]))]

# A stand-in consumer (py_static_binary will be one): asks for the runtime of its target platform.
resolved_runtime = rule(
    implementation = _resolved_runtime_impl,
    toolchains = [RUNTIME_TOOLCHAIN_TYPE],
)

def _musl_x86_64_test_impl(ctx):
    env = analysistest.begin(ctx)
    [descriptor] = analysistest.target_under_test(env)[DefaultInfo].files.to_list()
    asserts.equals(env, "cpython_3_13.distribution.json", descriptor.basename)
    build = [a for a in analysistest.target_actions(env)]
    asserts.equals(env, [], build, "the consumer itself runs no actions")
    return analysistest.end(env)

musl_x86_64_test = analysistest.make(
    _musl_x86_64_test_impl,
    config_settings = {"//command_line_option:platforms": str(Label("//platforms:linux_musl"))},
)

def _distribution_action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "PyStaticCPython"]
    asserts.equals(env, 1, len(actions), "one PyStaticCPython action")
    argv = actions[0].argv
    cc = argv[argv.index("--cc") + 1]
    asserts.true(env, cc.endswith("/bin/cc-x86_64-linux-musl"), "built with the zig musl toolchain: " + cc)
    asserts.equals(env, "x86_64-linux-musl", argv[argv.index("--target") + 1])
    inputs = [f.basename for f in actions[0].inputs.to_list()]
    asserts.true(env, "Python-3.13.15.tar.xz" in inputs, "the pinned source archive is the input")
    return analysistest.end(env)

distribution_action_test = analysistest.make(
    _distribution_action_test_impl,
    config_settings = {"//command_line_option:platforms": str(Label("//platforms:linux_musl"))},
)

def _aarch64_cross_build_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "PyStaticCPython"]
    asserts.equals(env, 1, len(actions), "one PyStaticCPython action")
    argv = actions[0].argv
    asserts.equals(env, "aarch64-linux-musl", argv[argv.index("--target") + 1])
    cc = argv[argv.index("--cc") + 1]
    asserts.true(env, cc.endswith("/bin/cc-aarch64-linux-musl"), "built with the aarch64 zig toolchain: " + cc)
    asserts.equals(env, "x86_64-linux-musl", argv[argv.index("--build-target") + 1])
    build_python = argv[argv.index("--build-python") + 1]
    asserts.true(env, build_python.endswith("/cpython_3_13_dist/bin/python3.13"), build_python)

    # The build Python is the x86_64 distribution (another configuration), an input of the action.
    [output] = [f for f in actions[0].outputs.to_list() if f.basename == "cpython_3_13_dist"]
    build_dists = [f for f in actions[0].inputs.to_list() if f.basename == "cpython_3_13_dist"]
    asserts.equals(env, 1, len(build_dists), "the build Python's distribution is an input")
    asserts.true(env, build_dists and build_dists[0].path != output.path, "it is not the action's own output")
    asserts.true(env, build_dists and build_python.startswith(build_dists[0].path + "/"), "--build-python runs that input")
    return analysistest.end(env)

aarch64_cross_build_test = analysistest.make(
    _aarch64_cross_build_test_impl,
    config_settings = {"//command_line_option:platforms": str(Label("//platforms:linux_musl_aarch64"))},
)

def _aarch64_runtime_test_impl(ctx):
    env = analysistest.begin(ctx)
    [descriptor] = analysistest.target_under_test(env)[DefaultInfo].files.to_list()
    asserts.equals(env, "cpython_3_13.distribution.json", descriptor.basename)
    asserts.true(env, "aarch64" in descriptor.path, "the aarch64 configuration's distribution: " + descriptor.path)
    return analysistest.end(env)

aarch64_runtime_test = analysistest.make(
    _aarch64_runtime_test_impl,
    config_settings = {"//command_line_option:platforms": str(Label("//platforms:linux_musl_aarch64"))},
)

def runtime_toolchain_test_suite(name):
    """Declares the runtime toolchain analysis tests.

    Args:
      name: name of the test_suite.
    """
    resolved_runtime(name = "resolved_runtime", tags = ["manual"])

    # manual: analysing the distribution loads its pinned source archive, which offline needs
    # tools/seed_sources first; tools/test runs this suite by name after seeding.
    musl_x86_64_test(
        name = "runtime_for_linux_musl_test",
        size = "small",
        tags = ["manual"],
        target_under_test = ":resolved_runtime",
    )
    distribution_action_test(
        name = "distribution_action_test",
        size = "small",
        tags = ["manual"],
        target_under_test = "//toolchains/cpython:cpython_3_13",
    )
    aarch64_cross_build_test(
        name = "aarch64_cross_build_test",
        size = "small",
        tags = ["manual"],
        target_under_test = "//toolchains/cpython:cpython_3_13",
    )
    aarch64_runtime_test(
        name = "runtime_for_linux_musl_aarch64_test",
        size = "small",
        tags = ["manual"],
        target_under_test = ":resolved_runtime",
    )
    native.test_suite(
        name = name,
        tags = ["manual"],
        tests = [
            ":aarch64_cross_build_test",
            ":distribution_action_test",
            ":runtime_for_linux_musl_aarch64_test",
            ":runtime_for_linux_musl_test",
        ],
    )
