"""Analysis tests: the runtime toolchain resolves to the CPython distribution built for the target."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

RUNTIME_TOOLCHAIN_TYPE = "//toolchains/cpython:runtime_toolchain_type"

def _resolved_runtime_impl(ctx):
    dist = ctx.toolchains[RUNTIME_TOOLCHAIN_TYPE].distribution
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

def _aarch64_not_yet_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "building CPython for aarch64-linux-musl needs a cross build")
    return analysistest.end(env)

aarch64_not_yet_test = analysistest.make(
    _aarch64_not_yet_test_impl,
    expect_failure = True,
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
    aarch64_not_yet_test(
        name = "aarch64_distribution_error_test",
        size = "small",
        tags = ["manual"],
        target_under_test = "//toolchains/cpython:cpython_3_13",
    )
    native.test_suite(
        name = name,
        tags = ["manual"],
        tests = [":runtime_for_linux_musl_test", ":distribution_action_test", ":aarch64_distribution_error_test"],
    )
