"""Analysis tests of the SBOM and licence-policy actions of py_static_binary (docs/sbom.md)."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "py_static_binary")

_SETTINGS = {
    "//command_line_option:platforms": str(Label("//platforms:linux_musl")),
    str(Label("//rules:licenses_denied")): ["AGPL-3.0-only", "GPL-3.0-only"],
}

def _action(env, mnemonic):
    found = [a for a in analysistest.target_actions(env) if a.mnemonic == mnemonic]
    asserts.equals(env, 1, len(found), mnemonic)
    return found[0]

def _flag_values(argv, flag):
    return [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == flag]

def _sbom_actions_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    outputs = sorted([f.basename for f in target[DefaultInfo].files.to_list()])
    asserts.equals(env, ["subject", "subject.cdx.json", "subject.licenses.json", "subject.spdx.json"], outputs)

    policy = _action(env, "PyStaticLicensePolicy")

    # The binary's own list and the repository-wide flag, united (sorted, once each).
    asserts.equals(env, ["AGPL-3.0-only", "GPL-3.0-only", "MIT"], _flag_values(policy.argv, "--licenses_denied"))
    asserts.false(env, "subject" in [f.basename for f in policy.inputs.to_list()], "the policy runs before the link")
    validation = [f.basename for f in target[OutputGroupInfo]._validation.to_list()]
    asserts.true(env, "subject.licenses_policy.txt" in validation, "the policy is a validation: " + str(validation))

    sbom = _action(env, "PyStaticSbom")
    inputs = [f.basename for f in sbom.inputs.to_list()]
    for name in ["subject", "subject.blob", "cpython_3_13.cpython_sbom.json", "cpython_3_13.distribution.json", "sources.json"]:
        asserts.true(env, name in inputs, "{} is an input of PyStaticSbom: {}".format(name, inputs))
    asserts.equals(env, ["subject.cdx.json", "subject.spdx.json"], sorted([f.basename for f in sbom.outputs.to_list()]))
    asserts.equals(env, ["0.17.1"], _flag_values(sbom.argv, "--zig_version"))
    return analysistest.end(env)

sbom_actions_test = analysistest.make(_sbom_actions_test_impl, config_settings = _SETTINGS)

def sbom_analysis_test_suite(name):
    """Declares the analysis tests (manual, like tests/binary's: the runtime toolchain needs seeded sources).

    Args:
      name: test_suite name.
    """
    py_static_binary(
        name = "subject",
        srcs = ["app.py"],
        licenses_denied = ["MIT", "GPL-3.0-only"],
        main = "app.py",
        tags = ["manual"],
    )
    sbom_actions_test(name = "sbom_actions_test", size = "small", tags = ["manual"], target_under_test = ":subject")
    native.test_suite(name = name, tests = [":sbom_actions_test"], tags = ["manual"])
