"""The tables of targets and Python builds (distribution/toolchains/targets.bzl, python_builds.bzl) are
the only home of their facts: the rules pass a row's values to the scripts as arguments, and the
generated BUILD files name no target by hand."""

import json
import re

from starlark_tables import BUILD_MACHINE_TRIPLE, PYTHON_BUILDS, ROOT, TARGETS


def test_no_script_keeps_a_copy_of_a_table():
    assert not (ROOT / "distribution/actions/pystatic/common/targets.py").exists()
    for root in (ROOT / "actions/pystatic", ROOT / "distribution/actions/pystatic"):
        for path in root.rglob("*.py"):
            text = path.read_text()
            for copy in ("OPENSSL_TARGETS", "MESON_CPU_FAMILIES", "MACHINES =", "pystatic.common.targets"):
                assert copy not in text, (path, copy)
            for row in TARGETS.values():
                assert f'"{row["openssl_target"]}"' not in text, path
    assert BUILD_MACHINE_TRIPLE in TARGETS


def test_per_target_facts_of_actions_come_from_the_row_as_arguments():
    """The rule passes its row's value, so an action's key depends only on its own target's row."""
    dependency = (ROOT / "distribution/toolchains/cpython/dependency.bzl").read_text()
    assert 'args.add("--openssl_target", target_row(ctx, tools.triple).openssl_target)' in dependency
    sdist = (ROOT / "rules/private/sdist.bzl").read_text()
    assert "row = target_row(ctx, tools.triple)" in sdist
    assert 'args.add("--meson_cpu_family", row.meson_cpu_family)' in sdist and 'args.add("--target_os", row.os)' in sdist
    checks = (ROOT / "rules/private/binary_checks.bzl").read_text()
    assert 'args.add("--elf_machine", row.elf_machine)' in checks and "TARGETS" in checks
    # Windows' import libraries: the CPython build and the runtime toolchain's check get the row's list.
    windows = (ROOT / "distribution/toolchains/cpython/windows.bzl").read_text()
    assert 'args.add_all(row.system_libraries, before_each = "--system_library")' in windows
    runtime = (ROOT / "toolchains/cpython/runtime.bzl").read_text()
    assert 'args.add_all(TARGETS[dist.target_triple].system_libraries, before_each = "--linked_system_library")' in runtime
    # The wheels repository's script gets the rows as JSON from its rule.
    rule = (ROOT / "rules/private/wheels_repository.bzl").read_text()
    assert "for triple, target in TARGETS.items()" in rule


def test_each_python_build_has_a_pinned_source_in_bzlmod():
    """The module extension and WORKSPACE mode declare the sources from the table; MODULE.bazel's
    use_repo must name them by hand."""
    sources = json.loads((ROOT / "distribution/toolchains/cpython/sources.json").read_text())["cpython"]
    module = (ROOT / "MODULE.bazel").read_text()
    for build, row in PYTHON_BUILDS.items():
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
        for row in TARGETS.values():
            assert f"linux_musl_{row['cpu']}" not in code and f'"{row["platform"]}"' not in code, path
        # The only hand-written cpu is windows_msvc's (not a py_static_binary target).
        assert re.findall(r"@platforms//cpu:(\w+)", code) in ([], ["x86_64"], ["x86_64", "x86_64"]), path
    runtime_toolchains = (ROOT / "toolchains/cpython/BUILD.bazel").read_text()
    assert "for triple in TARGETS" in runtime_toolchains and "for build in PYTHON_BUILDS" in runtime_toolchains
