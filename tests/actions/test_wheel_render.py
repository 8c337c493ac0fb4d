"""Rendering a plan as BUILD files (actions/pystatic/repository/wheels/render.py): text only, no resolution."""

import json

from pystatic.repository.wheels.plan import (
    BrokenTarget,
    PackageAlias,
    RepositoryPlan,
    SdistTarget,
    TargetPlatform,
    UnavailableTarget,
    WheelTarget,
)
from pystatic.repository.wheels.render import render, summary_of


def plan(**kwargs):
    targets = [
        WheelTarget("dep", "aarch64", "Dep", "2.0", "dep-2.0-py3-none-any.whl", "_whl/dep-2.0-py3-none-any", (), ()),
        UnavailableTarget("dep", "x86_64", "dep 2.0: no wheel fits"),
        SdistTarget("ext", "aarch64", "ext", "1.0", "ext-1.0.tar.gz", "", "build_from_source", ("@@//native:lib",),
                    {"EXT_LIB": "1"}, ("dep_aarch64",)),
        UnavailableTarget("ext", "x86_64", "ext needs app", wheel_file="ext-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"),
        BrokenTarget("bad", "x86_64", "bad 1.0 (bad-1.0-py3-none-any.whl) cannot be used: hash mismatch\n  Fix: relock"),
    ]
    platforms = (TargetPlatform("x86_64", "linux_musl_x86_64", "linux_musl", ("@platforms//cpu:x86_64",)),
                 TargetPlatform("aarch64", "linux_musl_aarch64", "linux_musl_aarch64", ("@platforms//cpu:aarch64",)))
    fields = dict(lock_label="@@//:pylock.toml", platforms=platforms,
                  built_in=("ext._c",), targets=targets,
                  aliases=[PackageAlias("dep", "Dep", "2.0", False), PackageAlias("ext", "ext", "1.0", True)],
                  builds_from_source=True, build_tools=("setuptools-80.0-py3-none-any.whl",))
    return RepositoryPlan(**dict(fields, **kwargs))


def test_each_kind_of_target_and_the_build_tools():
    build = render(plan(), "@r//rules/private:wheel.bzl")["BUILD.bazel"]
    assert build.splitlines()[1:3] == ['load("@r//rules/private:wheel.bzl", "pystatic_wheel", "pystatic_wheel_broken", "pystatic_wheel_unavailable")',
                                       'load("@r//rules/private:sdist.bzl", "pystatic_sdist_package")']
    assert ('pystatic_wheel(\n    name = "dep_aarch64",\n    package = "Dep",\n    version = "2.0",\n'
            '    wheel = "dep-2.0-py3-none-any.whl",\n') in build
    assert '    built_in = [\n        "ext._c",\n    ],\n    deps = [],\n)' in build
    assert 'pystatic_wheel_unavailable(\n    name = "dep_x86_64",\n    message = "dep 2.0: no wheel fits",\n)' in build
    assert ('pystatic_wheel_broken(\n    name = "bad_x86_64",\n    message = "bad 1.0 (bad-1.0-py3-none-any.whl) cannot be used: '
            'hash mismatch\\n  Fix: relock",\n)') in build
    assert ('    native_libraries = [\n        "@@//native:lib",\n    ],\n    env = {"EXT_LIB": "1"},\n'
            '    deps = [\n        "//:dep_aarch64",\n    ],\n)') in build
    assert '"_build_tools/setuptools-80.0-py3-none-any.whl",' in build and 'exports_files(glob(["_sdist/*"]))' in build
    assert "--platforms=@rules_pystatic//platforms:linux_musl or @rules_pystatic//platforms:linux_musl_aarch64)" in build
    assert "flag_values" not in build and "wrong_python_build" not in build


def test_aliases_select_in_the_order_of_the_targets_and_only_their_python_build():
    files = render(plan(), "@r//:wheel.bzl", python_build="3.13t", python_flag="@@//python:version")
    alias = files["ext/BUILD.bazel"]
    assert alias.index('"//:linux_musl_x86_64": "//:ext_x86_64"') < alias.index('"//:linux_musl_aarch64": "//:ext_aarch64"')
    assert '"//:linux_musl_aarch64_other_build": "//:wrong_python_build"' in alias
    assert 'exports_files(glob(["sdist/**"])' in alias and "sdist/**" not in files["dep/BUILD.bazel"]


def test_wheels_json_names_what_each_package_became():
    summary = {"dep": {"aarch64": "dep-2.0-py3-none-any.whl", "x86_64": "unavailable: dep 2.0: no wheel fits"},
               "ext": {"aarch64": "sdist ext-1.0.tar.gz", "x86_64": "ext-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"},
               "bad": {"x86_64": "broken: bad 1.0 (bad-1.0-py3-none-any.whl) cannot be used: hash mismatch\n  Fix: relock"}}
    assert summary_of(plan()) == summary
    assert json.loads(render(plan(), "@r//:wheel.bzl")["wheels.json"]) == summary


def test_messages_are_starlark_strings():
    broken = BrokenTarget("bad", "x86_64", "pip said \x1b[31mERROR\x1b[0m \u2501\u2501 hash\x07\n  Fix: relock")
    build = render(plan(targets=[broken]), "@r//:wheel.bzl")["BUILD.bazel"]
    assert 'message = "pip said ERROR \u2501\u2501 hash\\n  Fix: relock",' in build


def test_python_files_no_import_names_are_the_wheels_data():
    root = "_whl/mypy-2.0-py3-none-any"
    targets = [WheelTarget("mypy", "aarch64", "mypy", "2.0", "mypy-2.0-py3-none-any.whl", root, (), (),
                           ("mypyc/lib-rt/build_setup.py",))]
    build = render(plan(targets=targets, aliases=[PackageAlias("mypy", "mypy", "2.0", False)]),
                   "@r//rules/private:wheel.bzl")["BUILD.bazel"]
    assert (f'    srcs = glob(["{root}/**/*.py"], exclude = [\n        "{root}/mypyc/lib-rt/build_setup.py",\n    ]),\n'
            in build)
    assert f'"{root}/**/*.pyc",\n    ]) + [\n        "{root}/mypyc/lib-rt/build_setup.py",\n    ],\n' in build
    # Without such files the target is written as before (its key unchanged).
    assert '    srcs = glob(["_whl/dep-2.0-py3-none-any/**/*.py"]),\n' in render(plan(), "@r//rules/private:wheel.bzl")["BUILD.bazel"]
