"""Third-party wheels (pystatic.wheels): the example runs, fallbacks are used, bad input fails the build."""

import json
import os
import pathlib
import re
import subprocess

import pytest

MUSL = "--platforms=//platforms:linux_musl"
AARCH64 = "--platforms=//platforms:linux_musl_aarch64"
# The tests read the wheels' .natives.txt stamps (validation outputs): served from the disk cache,
# Bazel would download only top-level outputs, and a fresh clone (CI) would lack them.
DOWNLOAD_ALL = "--remote_download_all"
LOCKED = {"click": "8.5.1", "rich": "15.0.0", "markdown-it-py": "4.3.0", "pygments": "2.21.0", "pyyaml": "6.0.3"}


def run(*cmd, stdin=None):
    return subprocess.run(cmd, capture_output=True, text=True, input=stdin, timeout=120)


@pytest.fixture(scope="module")
def wheels_binary(bazel):
    return bazel.build_file("//examples/wheels:wheels", MUSL, DOWNLOAD_ALL)


def test_click_and_rich_from_the_lock_run_in_the_binary(wheels_binary):
    report = run(str(wheels_binary), "report")
    assert report.returncode == 0, report.stderr
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in report.stdout.splitlines() if line.startswith("│")]
    versions = {row[0]: row[1] for row in rows}
    for name, version in LOCKED.items():
        assert versions.get(name) == version, (name, report.stdout)
    # The musllinux wheels' C extensions are loaded from memory: markupsafe's speedups, PyYAML's libyaml.
    assert "markupsafe: &lt;b&gt;&amp;&lt;/b&gt; speedups: loaded (used)\n" in report.stdout, report.stdout
    assert "libyaml: true, static: true" in report.stdout, report.stdout
    # PackagePath.locate() is a path; realpath(strict=True) of the tree, as of a directory.
    assert "located: click/__init__.py True FileNotFoundError NotADirectoryError\n" in report.stdout, report.stdout
    echo = run(str(wheels_binary), "echo", "static", "--shout")
    assert echo.stdout.strip() == "STATIC", echo
    helped = run(str(wheels_binary), "--help")
    assert helped.stdout.startswith("Usage: wheels [OPTIONS] COMMAND"), helped.stdout


def test_c_extension_built_from_the_sdist_is_a_builtin(bazel):
    binary = bazel.build_file("//examples/wheels:wheels_speedups", MUSL)
    report = run(str(binary), "report")
    assert report.returncode == 0, report.stderr
    # markupsafe's own try/except import picks the built-in up; escaping still works.
    assert "markupsafe: &lt;b&gt;&amp;&lt;/b&gt; speedups: built-in (used)" in report.stdout, report.stdout


def test_entry_points_and_console_script(bazel, wheels_binary):
    scripts = run(str(wheels_binary), "scripts")
    assert "pygmentize = pygments.cmdline:main" in scripts.stdout.splitlines(), scripts.stdout
    pygmentize = bazel.build_file("//examples/wheels:pygmentize", MUSL)
    out = run(str(pygmentize), "-l", "python", "-f", "html", stdin="x = 1\n")
    assert out.returncode == 0, out.stderr
    assert '<span class="n">x</span>' in out.stdout, out.stdout


def test_loaded_shared_objects_are_reported_and_licences_listed(wheels_binary):
    bin_dir = wheels_binary.parents[2]
    stamps = {p.name: p.read_text() for p in bin_dir.glob("external/*pypi/*.natives.txt")}
    assert "loads 1 shared object(s) from memory: markupsafe/_speedups.cpython-313-x86_64-linux-musl.so" \
        in stamps["markupsafe_x86_64.natives.txt"]
    assert "yaml/_yaml.cpython-313-x86_64-linux-musl.so" in stamps["pyyaml_x86_64.natives.txt"]
    licences = json.loads(wheels_binary.with_name("wheels.licenses.json").read_text())
    by_name = {c["component"].lower(): c for c in licences["components"]}
    for name, version in LOCKED.items():
        component = by_name[name]
        assert component["version"] == version and component["origin"] == "dist-info", component
    assert by_name["click"]["license"] == "BSD-3-Clause" and "Redistribution" in "".join(by_name["click"]["texts"].values())


def test_aarch64_binary_uses_the_aarch64_wheels(bazel, qemu_aarch64):
    binary = bazel.build_file("//examples/wheels:wheels", AARCH64, DOWNLOAD_ALL)
    report = run(qemu_aarch64, str(binary), "report")
    assert report.returncode == 0, report.stderr
    assert "machine: aarch64" in report.stdout and "speedups: loaded (used)" in report.stdout, report.stdout
    stamps = list((binary.parents[2] / "external").glob("*pypi/markupsafe_aarch64.natives.txt"))
    assert stamps and "_speedups.cpython-313-aarch64-linux-musl.so" in stamps[0].read_text()
    # The sdist's C extension cross-compiles with the aarch64 toolchain like everything else.
    speedups = bazel.build_file("//examples/wheels:wheels_speedups", AARCH64)
    report = run(qemu_aarch64, str(speedups), "report")
    assert "speedups: built-in (used)" in report.stdout, report.stdout + report.stderr


@pytest.mark.parametrize(
    "target, platform, expected",
    [
        ("native_without_fallback", AARCH64, ["orjson 3.13.0: no wheel in the lock fits aarch64-linux-musl",
                                              "orjson-3.13.0-cp313-cp313-musllinux_1_2_x86_64.whl", "Fix:"]),
        ("missing_dependency", MUSL, ["rich 15.0.0 requires markdown-it-py", "does not lock", "Fix: regenerate"]),
        ("marker_excluded", MUSL, ["colorama 0.4.6 is not for x86_64-linux-musl", 'sys_platform == "win32"', "Fix:"]),
        ("no_hashes", MUSL, ["click 8.5.1", "has no sha256", "Fix: regenerate the lock with hashes"]),
        ("wrong_hash", MUSL, ["pypi_wrong_hash//:click_x86_64: click 8.5.1 (a wheel for x86_64-linux-musl) cannot be used",
                              "could not fetch click 8.5.1", "DO NOT MATCH THE HASHES", "Fix:"]),
        ("unknown_console_script", MUSL, ["no console script 'no-such-script'", "pygmentize (pygments-2.21.0.dist-info)"]),
    ],
)
def test_bad_third_party_input_fails_the_build(bazel, target, platform, expected):
    result = bazel.run("build", f"//tests/wheels:{target}", platform, check=False)
    assert result.returncode != 0, f"//tests/wheels:{target} built"
    for text in expected:
        assert text in result.stderr, (text, result.stderr[-3000:])


def test_a_broken_package_leaves_the_rest_of_its_lock_working(bazel):
    # wrong_hash.requirements.txt: click's hash is wrong (its targets fail to build, above), mdurl's right.
    binary = bazel.build_file("//tests/wheels:beside_wrong_hash", MUSL)
    out = run(str(binary))
    assert out.returncode == 0 and out.stdout.strip() == "mdurl 0.1.2: https://example.com/a", (out.stdout, out.stderr)


def test_a_refetch_takes_the_unchanged_pins_from_the_download_cache(fresh_bazel, tmp_path, monkeypatch):
    # docs/wheels.md, The download cache: the first fetch fills it; a forced refetch with no index at all
    # (pip would fail every file) writes the same repository from it, each file checked by its sha256.
    monkeypatch.setenv("PYSTATIC_WHEEL_CACHE", str(tmp_path / "cache"))
    bazel = fresh_bazel("download_cache")
    bazel.run("fetch", "--repo=@pypi_files")
    external = pathlib.Path(bazel.run("info", "output_base").stdout.strip()) / "external"
    (repo,) = [p for p in external.iterdir() if p.is_dir() and re.fullmatch(r".*pystatic[~+]pypi_files", p.name)]
    before = (repo / "wheels.json").read_text()
    assert "broken" not in before and any((tmp_path / "cache" / "files").iterdir())
    (tmp_path / "no_links").mkdir()
    for key, value in {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path / "no_links")}.items():
        monkeypatch.setenv(key, value)
    bazel.run("fetch", "--force", "--repo=@pypi_files")
    assert (repo / "wheels.json").read_text() == before
