"""Wheels for Windows (docs/wheels.md, Windows): a pystatic.wheels repository serves the Windows row with
pure-Python wheels, so //examples/wheels:pygmentize (pygments from examples/wheels/pylock.toml) builds
for --platforms=//platforms:windows_x86_64 and runs under wine; a package Windows cannot load fails
analysis naming it, the platform, why and the fix (tests/actions/test_wheel_windows.py), and one
whose sdist is locked is built from it: //examples/wheels (markupsafe, PyYAML with libyaml) runs under
wine; a Python build Windows lacks (3.13t) keeps its repository linux-musl's."""

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


def test_the_wheels_example_runs_under_wine_its_c_extensions_built_from_their_sdists(bazel, wine):
    # markupsafe and PyYAML: no wheel of the lock fits Windows, so each is built from its locked sdist
    # with the Windows toolchain (PyYAML linking libyaml built for Windows); click imports
    # ctypes.pythonapi's PyObject_GetBuffer on Windows (the executable's export table).
    bazel.run("build", "//examples/wheels:wheels", PLATFORM)
    files = bazel.run("cquery", "//examples/wheels:wheels", PLATFORM, "--output=files").stdout.split()
    (exe,) = [f for f in files if f.endswith(".exe")]
    report = run_under_wine(wine, (bazel.execution_root() / exe).resolve(), "report")
    assert report.returncode == 0, report.stderr[-3000:]
    rows = {line.strip("│").split("│")[0].strip(): line.strip("│").split("│")[1].strip()
            for line in report.stdout.splitlines() if line.startswith("│")}
    assert rows["click"] == "8.5.1" and rows["markupsafe"] == "3.0.4" and rows["pyyaml"] == "6.0.3", report.stdout
    assert "wheels inside wheels.exe" in report.stdout and "machine: AMD64" in report.stdout, report.stdout
    assert "markupsafe: &lt;b&gt;&amp;&lt;/b&gt; speedups: built-in (used)\n" in report.stdout, report.stdout
    assert "libyaml: true, static: true" in report.stdout, report.stdout
    echo = run_under_wine(wine, (bazel.execution_root() / exe).resolve(), "echo", "static", "--shout")
    assert echo.returncode == 0 and echo.stdout.strip() == "STATIC", echo.stdout + echo.stderr[-2000:]


def test_a_python_build_windows_lacks_keeps_its_repository_linux_musls(bazel):
    # pypi_threads (python_version = "3.13t"): the Windows row has no 3.13t, so no Windows targets,
    # and the free-threaded example's analysis for linux-musl is as before.
    targets = bazel.run("query", "@pypi_threads//:all").stdout.split()
    assert "@pypi_threads//:markupsafe_x86_64" in targets and not [t for t in targets if "windows" in t], targets
    bazel.run("build", "--nobuild", "//examples/threads:escape", "--platforms=//platforms:linux_musl")
