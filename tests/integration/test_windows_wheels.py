"""Wheels for Windows (docs/wheels.md, Windows): a pystatic.wheels repository serves the Windows row with
pure-Python wheels, so //examples/wheels:pygmentize (pygments from examples/wheels/pylock.toml) builds
for --platforms=//platforms:windows_x86_64 and runs under wine; a package Windows cannot load fails
analysis naming it, the platform, why and the fix; a Python build Windows lacks (3.13t) keeps its
repository linux-musl's."""

import pytest

from test_windows import PLATFORM, ROW, run_under_wine, wine  # noqa: F401 (wine: the fixture)

PYGMENTIZE = "//examples/wheels:pygmentize"


@pytest.fixture(scope="module")
def pygmentize(bazel):
    bazel.run("build", PYGMENTIZE, PLATFORM)
    files = bazel.run("cquery", PYGMENTIZE, PLATFORM, "--output=files").stdout.split()
    (exe,) = [f for f in files if f.endswith(".exe")]
    return (bazel.execution_root() / exe).resolve()


def test_a_console_script_of_a_pure_wheel_runs_under_wine(pygmentize, wine, tmp_path):
    assert pygmentize.name == "pygmentize.exe"
    version = run_under_wine(wine, pygmentize, "-V")
    assert version.returncode == 0, version.stderr[-3000:]
    assert version.stdout.startswith("Pygments version 2.21.0,"), version.stdout
    source = tmp_path / "hello.py"
    source.write_text("x = 1\n")
    # wine runs the .exe with the Unix root as drive Z: (the current one): a Unix path opens as is.
    html = run_under_wine(wine, pygmentize, "-l", "python", "-f", "html", str(source))
    assert html.returncode == 0, html.stderr[-3000:]
    assert '<span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>' in html.stdout, html.stdout


def test_the_repository_has_windows_targets_beside_the_linux_ones(bazel):
    targets = set(bazel.run("query", "@pypi//:all").stdout.split())
    assert {"@pypi//:pygments_x86_64", "@pypi//:pygments_aarch64", "@pypi//:pygments_windows_x86_64",
            "@pypi//:windows_x86_64"} <= targets, sorted(targets)
    # colorama's lock marker (sys_platform == "win32") holds on Windows only.
    wheels = bazel.run("cquery", "@pypi//colorama", PLATFORM, "--output=build").stdout
    assert "colorama_windows_x86_64" in wheels


def test_a_package_whose_wheels_windows_cannot_load_fails_analysis_naming_it(bazel):
    result = bazel.run("build", "--nobuild", "//examples/wheels:wheels", PLATFORM, check=False)
    assert result.returncode != 0
    error = result.stderr
    named = [p for p in ("markupsafe", "pyyaml") if f"//:{p}_windows_x86_64: {p} " in error]
    assert named, error[-4000:]
    assert f"no wheel in the lock fits {ROW['triple']}" in error
    assert "Windows binaries take pure-Python wheels only, as they cannot load wheels' extension modules yet" in error
    assert "Fix: leave the package out of the deps of what you build for @rules_pystatic//platforms:windows_x86_64" in error
    assert "building it from its sdist for Windows is not supported yet (docs/windows.md)" in error


def test_a_python_build_windows_lacks_keeps_its_repository_linux_musls(bazel):
    # pypi_threads (python_version = "3.13t"): the Windows row has no 3.13t, so no Windows targets,
    # and the free-threaded example's analysis for linux-musl is as before.
    targets = bazel.run("query", "@pypi_threads//:all").stdout.split()
    assert "@pypi_threads//:markupsafe_x86_64" in targets and not [t for t in targets if "windows" in t], targets
    bazel.run("build", "--nobuild", "//examples/threads:escape", "--platforms=//platforms:linux_musl")
