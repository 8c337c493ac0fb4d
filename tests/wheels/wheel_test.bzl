"""Analysis tests of the wheel rules that pystatic.wheels repositories instantiate."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

# Generated repositories load these directly; so does this test.
# buildifier: disable=bzl-visibility
load("//rules/private:providers.bzl", "PyStaticSdistInfo")

# buildifier: disable=bzl-visibility
load("//rules/private:sdist.bzl", "pystatic_sdist_package")

# buildifier: disable=bzl-visibility
load("//rules/private:wheel.bzl", "pystatic_wheel", "pystatic_wheel_unavailable")

_MUSL = {"//command_line_option:platforms": str(Label("//platforms:linux_musl"))}

def _with_natives_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    checks = [a for a in analysistest.target_actions(env) if a.mnemonic == "PyStaticWheel"]
    asserts.equals(env, 1, len(checks), "one C-extension check for a wheel with .so files")
    asserts.true(env, "pkg/_c.cpython-313-x86_64-linux-musl.so" in checks[0].argv, "the .so is named")
    asserts.equals(env, 1, len(target[OutputGroupInfo]._validation.to_list()), "the check is a validation output")
    imports = target[PyInfo].imports.to_list()
    asserts.true(env, [i for i in imports if i.endswith("/tests/wheels/fake")], "import root in PyInfo.imports: {}".format(imports))
    asserts.true(env, "__init__.py" in [f.basename for f in target[PyInfo].transitive_sources.to_list()])
    return analysistest.end(env)

with_natives_test = analysistest.make(_with_natives_test_impl, config_settings = _MUSL)

def _pure_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.equals(env, [], [a.mnemonic for a in analysistest.target_actions(env)], "a pure wheel runs no action")
    return analysistest.end(env)

pure_test = analysistest.make(_pure_test_impl, config_settings = _MUSL)

def _unavailable_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "pkg 1.0 is not for x86_64-linux-musl")
    return analysistest.end(env)

unavailable_test = analysistest.make(_unavailable_test_impl, expect_failure = True, config_settings = _MUSL)

def _from_sdist_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    builds = [a for a in analysistest.target_actions(env) if a.mnemonic == "PyStaticSdist"]
    asserts.equals(env, 1, len(builds), "one PEP 517 build per package and platform")
    asserts.true(env, builds[0].argv[0].endswith("/bin/python3.13"), "the backend runs on the distribution's own 3.13: " + builds[0].argv[0])
    inputs = [f.basename for f in builds[0].inputs.to_list()]
    for name in ["pkg-1.0.tar.gz", "setuptools-80.0-py3-none-any.whl", "build_sdist.py"]:
        asserts.true(env, name in inputs, name + " is an input")
    asserts.equals(env, ["builtins.json", "libpkg_builtins.a", "sdist.log", "site"], sorted([f.basename for f in builds[0].outputs.to_list()]))
    (build,) = target[PyStaticSdistInfo].builds.to_list()
    asserts.equals(env, "libpkg_builtins.a", build.archive.basename)
    imports = target[PyInfo].imports.to_list()
    asserts.true(env, [i for i in imports if i.endswith("/tests/wheels/from_sdist/site")], "the built files are an import root: {}".format(imports))
    return analysistest.end(env)

from_sdist_test = analysistest.make(_from_sdist_test_impl, config_settings = _MUSL)

def wheel_analysis_test_suite(name):
    """Declares the analysis tests of pystatic_wheel / pystatic_wheel_unavailable.

    Args:
      name: test_suite name.
    """
    common = dict(package = "pkg", version = "1.0", srcs = ["fake/pkg/__init__.py"], import_root = "tests/wheels/fake", tags = ["manual"])
    pystatic_wheel(
        name = "with_natives",
        wheel = "pkg-1.0-cp313-cp313-musllinux_1_2_x86_64.whl",
        native_files = ["pkg/_c.cpython-313-x86_64-linux-musl.so"],
        **common
    )
    pystatic_wheel(name = "pure", wheel = "pkg-1.0-py3-none-any.whl", **common)
    pystatic_wheel_unavailable(name = "unavailable", message = "pkg 1.0 is not for x86_64-linux-musl", tags = ["manual"])
    pystatic_sdist_package(
        name = "from_sdist",
        package = "pkg",
        version = "1.0",
        sdist = "fake/pkg-1.0.tar.gz",
        build_tools = ["fake/setuptools-80.0-py3-none-any.whl"],
        tags = ["manual"],
    )
    from_sdist_test(name = "from_sdist_test", size = "small", tags = ["manual"], target_under_test = ":from_sdist")
    with_natives_test(name = "with_natives_test", size = "small", tags = ["manual"], target_under_test = ":with_natives")
    pure_test(name = "pure_test", size = "small", tags = ["manual"], target_under_test = ":pure")
    unavailable_test(name = "unavailable_test", size = "small", tags = ["manual"], target_under_test = ":unavailable")
    native.test_suite(name = name, tags = ["manual"], tests = [":with_natives_test", ":pure_test", ":unavailable_test", ":from_sdist_test"])
