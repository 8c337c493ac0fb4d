"""CPython's regression suite under wine: the static interpreter for Windows (//examples/python built
with --platforms=//platforms:windows_x86_64, python.exe's command line) and the same CPython build's
python.exe from disk (the Windows distribution), each beside Lib\\test of the pinned source, run side
by side. Passes when every test case that fails inside the static binary also fails from disk (wine's
own gaps fail both), or is in regrtest_allowlist_windows.txt with its reason.

A subset of test_regrtest.py's list (plus Windows' own modules), what exercises the static runtime:
test_ssl and test_logging wait minutes on network timeouts under wine, test_winconsoleio needs the
_testconsole test module; threads, asyncio and multiprocessing (about a minute of the CI budget)
are left to the Linux suite and to the examples' spawn tests (test_windows_binaries.py).
"""

import pathlib
import shutil
import subprocess
import time

import pytest

from test_regrtest import (
    assert_no_failure_of_the_static_binary_alone, extract_lib_test, failed_modules, junit_results, read_allowlist, selecting,
)
from test_windows import PLATFORM, WINEPREFIX, wine  # noqa: F401 (wine: the fixture)

HERE = pathlib.Path(__file__).parent
REGRTEST_UNDER_WINE = HERE.parent / "windows_runtime" / "regrtest_wine.py"
TESTS = [
    "test_json", "test_sqlite3", "test_zlib", "test_lzma", "test_bz2", "test_hashlib", "test_decimal", "test_ctypes",
    "test_uuid", "test_re", "test_datetime", "test_zoneinfo", "test_importlib", "test_inspect", "test_traceback",
    "test_linecache", "test_subprocess", "test_os", "test_tempfile", "test_argparse", "test_pickle", "test_struct",
    "test_sys", "test_site", "test_runpy", "test_zipimport", "test_winreg", "test_winapi", "test_msvcrt", "test_ntpath",
]
TIMEOUT = 900


def start_regrtest(wine, python, work, name, tests=TESTS):
    """Starts regrtest under wine (stdout a pipe: wine refuses a regular file as a Windows program's
    standard handle); returns finish() -> (cases, failed modules, counts, stdout)."""
    work.mkdir(exist_ok=True)
    xml = work / f"{name}.xml"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "WINEDEBUG": "-all", "LC_ALL": "C.UTF-8",
           "WINEPREFIX": WINEPREFIX, "WINEDLLOVERRIDES": "mscoree,mshtml="}
    cmd = [wine, str(python), str(REGRTEST_UNDER_WINE), "-j2", "--junit-xml", str(xml), "--timeout", "300", *tests]
    start = time.monotonic()
    process = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace", env=env)

    def finish():
        try:
            stdout, _ = process.communicate(timeout=TIMEOUT)
        finally:
            process.kill()
        cases = junit_results(xml)
        counts = {
            "run": len(cases),
            "failed": sum(1 for o in cases.values() if o in ("failure", "error")),
            "skipped": sum(1 for o in cases.values() if o == "skipped"),
            "seconds": round(time.monotonic() - start),
        }
        print(f"\n{name}: {counts} modules failed: {sorted(failed_modules(stdout))}")
        return cases, failed_modules(stdout), counts, stdout

    return finish


@pytest.fixture(scope="module")
def pythons(bazel, tmp_path_factory):
    """(static, disk) python.exe, each in its own directory beside Lib\\test of the pinned source."""
    archive = bazel.build_file("@pystatic_cpython_src_3_13//:file")
    target = "//toolchains/cpython:cpython_3_13_windows"
    bazel.run("build", "//examples/python", target, PLATFORM)
    outputs = bazel.run("cquery", target, PLATFORM, "--output=files").stdout.split()
    dist = next((bazel.execution_root() / p).resolve() for p in outputs if p.endswith("_dist"))
    static_exe = next((bazel.execution_root() / p).resolve()
                      for p in bazel.run("cquery", "//examples/python", PLATFORM, "--output=files").stdout.split() if p.endswith(".exe"))
    root = tmp_path_factory.mktemp("windows_pythons")
    static, disk = root / "static", root / "disk"
    extract_lib_test(archive, static / "Lib" / "test")
    shutil.copytree(dist / "Lib", disk / "Lib")
    shutil.copytree(static / "Lib" / "test", disk / "Lib" / "test")
    shutil.copy2(static_exe, static / "python.exe")
    shutil.copy2(dist / "python.exe", disk / "python.exe")
    return static / "python.exe", disk / "python.exe"


def test_static_interpreter_for_windows_fails_no_regression_test_the_disk_build_passes(pythons, wine, tmp_path):
    static, disk = pythons
    finish_static = start_regrtest(wine, static, tmp_path / "static", "static")
    finish_disk = start_regrtest(wine, disk, tmp_path / "disk", "disk")
    static_cases, static_modules, static_counts, static_stdout = finish_static()
    disk_cases, disk_modules, disk_counts, _ = finish_disk()
    assert static_counts["run"] > 5000, static_stdout[-3000:]
    assert disk_counts["run"] > 5000
    assert_no_failure_of_the_static_binary_alone((static_cases, static_modules, static_stdout), (disk_cases, disk_modules),
                                                 read_allowlist(HERE / "regrtest_allowlist_windows.txt"),
                                                 lambda cases: start_regrtest(wine, static, tmp_path / "rerun", "rerun", selecting(cases))()[0])


def test_windows_allowlist_entries_have_reasons():
    assert all(read_allowlist(HERE / "regrtest_allowlist_windows.txt").values())
