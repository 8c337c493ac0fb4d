"""The tables of targets and Python builds (distribution/toolchains/targets.bzl, distribution/toolchains/python_builds.bzl)
against their Python twin (distribution/tools/pystatic/common/targets.py) and every copy the tools and the build keep."""

import ast
import json
import pathlib
import re

from pystatic.binary import verify_elf
from pystatic.common import targets
from pystatic.repository import wheel_repo

ROOT = pathlib.Path(__file__).resolve().parents[2]


def starlark_table(path, name):
    """The literal `name = {...}` of a .bzl file, with struct(...) read as dict(...)."""
    text = (ROOT / path).read_text()
    match = re.search(rf"^{name} = (\{{.*?^\}})", text, re.S | re.M)
    assert match, f"{path}: no `{name} = {{...}}` table"
    tree = ast.parse(match.group(1).replace("struct(", "dict("), mode="eval")
    return eval(compile(tree, path, "eval"), {"__builtins__": {}, "dict": dict})  # literals and dict() only


def starlark_string(path, name):
    match = re.search(rf'^{name} = "([^"]*)"', (ROOT / path).read_text(), re.M)
    assert match, f"{path}: no `{name} = \"...\"`"
    return match.group(1)


def test_python_twin_equals_the_starlark_tables():
    assert starlark_table("distribution/toolchains/targets.bzl", "TARGETS") == targets.TARGETS
    assert starlark_table("distribution/toolchains/python_builds.bzl", "PYTHON_BUILDS") == targets.PYTHON_BUILDS
    assert starlark_string("distribution/toolchains/python_builds.bzl", "DEFAULT_PYTHON_BUILD") == targets.DEFAULT_PYTHON_BUILD


def test_tools_per_target_flags_follow_the_table():
    assert verify_elf.MACHINES == {row["cpu"]: row["elf_machine"] for row in targets.TARGETS.values()}
    assert set(wheel_repo.CPUS) == {row["cpu"] for row in targets.TARGETS.values()}
    for row in targets.TARGETS.values():
        assert wheel_repo.Platform(row["cpu"], "3.13.15").platform_tags() == row["wheel_platforms"]
        assert wheel_repo.Platform(row["cpu"], "3.13.15").triple in targets.TARGETS
    assert starlark_string("distribution/toolchains/targets.bzl", "BUILD_MACHINE_TRIPLE") in targets.TARGETS


def test_per_target_facts_of_actions_come_from_the_row_as_arguments():
    """Scripts keep no copy of a target column: the rule passes its row's value, so an action's key
    depends only on its own target's row."""
    dependency = (ROOT / "distribution/toolchains/cpython/dependency.bzl").read_text()
    assert 'args.add("--openssl_target", target_row(ctx, tools.triple).openssl_target)' in dependency
    sdist = (ROOT / "rules/private/sdist.bzl").read_text()
    assert 'args.add("--meson_cpu_family", target_row(ctx, tools.triple).meson_cpu_family)' in sdist
    scripts = [ROOT / "distribution/tools/pystatic/distribution", ROOT / "tools/pystatic/packages"]
    for path in (p for d in scripts for p in d.rglob("*.py")):
        text = path.read_text()
        assert "OPENSSL_TARGETS" not in text and "MESON_CPU_FAMILIES" not in text, path
        for row in targets.TARGETS.values():
            assert f'"{row["openssl_target"]}"' not in text, path


def test_each_python_build_has_a_pinned_source_in_bzlmod():
    """The module extension and WORKSPACE mode declare the sources from the table; MODULE.bazel's
    use_repo must name them by hand."""
    sources = json.loads((ROOT / "distribution/toolchains/cpython/sources.json").read_text())["cpython"]
    module = (ROOT / "MODULE.bazel").read_text()
    for build, row in targets.PYTHON_BUILDS.items():
        assert row["source"] in sources, f"{build}: no cpython source {row['source']} in sources.json"
        repo = "pystatic_cpython_src_" + row["source"].replace(".", "_")
        assert f'"{repo}"' in module, f"MODULE.bazel: use_repo(cpython, ...) lacks {repo} (Python build {build})"
    for path in ("rules/repositories.bzl", "distribution/toolchains/cpython/extensions.bzl"):
        assert "for build in PYTHON_BUILDS.values()" in (ROOT / path).read_text(), path


def test_generated_build_files_name_no_target_by_hand():
    """platforms, zig and runtime toolchains come from the tables: no musl cpu is spelled out."""
    for path in ("distribution/platforms/BUILD.bazel", "platforms/BUILD.bazel", "toolchains/BUILD.bazel",
                 "toolchains/cpython/BUILD.bazel", "distribution/toolchains/cpython/BUILD.bazel"):
        code = "\n".join(line.partition("#")[0] for line in (ROOT / path).read_text().splitlines())
        for row in targets.TARGETS.values():
            assert f"linux_musl_{row['cpu']}" not in code and f'"{row["platform"]}"' not in code, path
        # The only hand-written cpu is windows_msvc's (not a py_static_binary target).
        assert re.findall(r"@platforms//cpu:(\w+)", code) in ([], ["x86_64"], ["x86_64", "x86_64"]), path
    runtime_toolchains = (ROOT / "toolchains/cpython/BUILD.bazel").read_text()
    assert "for triple in TARGETS" in runtime_toolchains and "for build in PYTHON_BUILDS" in runtime_toolchains
