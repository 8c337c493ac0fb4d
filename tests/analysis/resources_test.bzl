"""Analysis tests for pystatic_resources: action wiring and attribute errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "PyStaticResourcesInfo", "pystatic_resources")

def _manifest_action_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "PyStaticManifest"]
    asserts.equals(env, 1, len(actions), "one PyStaticManifest action")
    action = actions[0]
    info = target[PyStaticResourcesInfo]
    asserts.equals(env, [info.manifest], action.outputs.to_list())
    asserts.equals(env, "resources_subject.resources.json", info.manifest.basename)
    inputs = [f.basename for f in action.inputs.to_list()]
    for name in ["__init__.py", "main.py", "greeting.txt"]:
        asserts.true(env, name in inputs, "{} is an input of the manifest action".format(name))

    # `imports = ["."]` adds the package itself as an import root, after the repository root.
    argv = action.argv
    roots = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--import_root"]
    asserts.equals(env, ["", ctx.label.package], roots)
    srcs = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--src"]
    asserts.equals(env, 2, len(srcs), "one --src per source: " + str(srcs))

    # Data files are --data: a `.py` among them that no import names stays data.
    data = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--data"]
    asserts.equals(env, ["greeting.txt"], [path.rpartition("/")[2] for path in data], "one --data per data file: " + str(data))
    return analysistest.end(env)

manifest_action_test = analysistest.make(_manifest_action_test_impl)

def _escaping_import_root_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "imports entry '../../..' leaves the repository")
    return analysistest.end(env)

escaping_import_root_test = analysistest.make(_escaping_import_root_test_impl, expect_failure = True)

def resources_test_suite(name):
    """Declares the subjects and analysis tests of pystatic_resources.

    Args:
      name: name of the test_suite that groups them.
    """
    pystatic_resources(
        name = "resources_subject",
        srcs = ["testdata/app/__init__.py", "testdata/app/main.py"],
        data = ["testdata/app/greeting.txt"],
        imports = ["."],
        tags = ["manual"],
    )
    manifest_action_test(name = "manifest_action_test", size = "small", target_under_test = ":resources_subject")

    pystatic_resources(
        name = "escaping_subject",
        srcs = ["testdata/app/main.py"],
        imports = ["../../.."],
        tags = ["manual"],
    )
    escaping_import_root_test(name = "escaping_import_root_test", size = "small", target_under_test = ":escaping_subject")

    native.test_suite(name = name, tests = [":manifest_action_test", ":escaping_import_root_test"])
