"""CPython's own regression suite (`python -m test`) run by the static interpreter (//examples/python)
against Lib/test of the pinned CPython source, and by the same CPython build from disk (the
distribution's own bin/python3.13). Passes when every test case that fails inside the static
binary also fails from disk, or is in regrtest_allowlist.txt with its reason.

Counts of both runs are printed (pytest -s shows them) and recorded in docs/py_static_binary.md.
"""

import pathlib
import re
import shutil
import subprocess
import tarfile
import time
import xml.etree.ElementTree as ET

import pytest

MUSL = "--platforms=//platforms:linux_musl"
HERE = pathlib.Path(__file__).parent
# The list; the two long ones in part (each whole is several minutes on 2 cores).
TESTS = [
    "test_json", "test_sqlite3", "test_zlib", "test_lzma", "test_bz2", "test_hashlib", "test_ssl", "test_decimal",
    "test_ctypes", "test_uuid", "test_re", "test_datetime", "test_zoneinfo", "test_importlib", "test_pkgutil",
    "test_inspect", "test_traceback", "test_linecache", "test_subprocess", "test_os", "test_tempfile",
    "test_logging", "test_argparse", "test_pickle", "test_struct", "test_sys", "test_site", "test_runpy",
    "test_zipimport", "test_threading", "test_venv", "test_ensurepip",
    "test_asyncio.test_tasks", "test_asyncio.test_futures", "test_asyncio.test_locks", "test_asyncio.test_queues",
    "test_asyncio.test_streams", "test_asyncio.test_subprocess", "test_asyncio.test_taskgroups",
    "test_asyncio.test_runners", "test_asyncio.test_unix_events",
    "test_multiprocessing_spawn.test_misc",
]
JOBS = 2
TIMEOUT = 900


def read_allowlist(path=HERE / "regrtest_allowlist.txt"):
    """{test id or test module: reason} from `<id>  # <reason>` lines; every entry needs a reason."""
    allowed = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition("#")
        assert name.strip() and reason.strip(), f"{path}:{number}: '<test id>  # <reason>' expected"
        allowed[name.strip()] = reason.strip()
    return allowed


def assert_no_failure_of_the_static_binary_alone(static, disk, allowed, rerun):
    """static: (cases, failed modules, stdout), disk: (cases, failed modules) of two regrtest runs;
    allowed: read_allowlist's; rerun(case ids) -> {case id: outcome}, the static binary running only
    those. Fails naming each test case, or module without a failing case of its own, that fails only
    in the static binary and is not allow-listed; prints stale entries.

    A case failing only in the static binary runs once more, alone: timing-bound cases (a 100 ms
    wait on 3,969 events under wine, on a busy 2-core machine) fail now and then in either binary,
    as regrtest's own --rerun knows. One that passes alone is printed as flaky, not failed."""
    static_cases, static_modules, static_stdout = static
    disk_cases, disk_modules = disk

    def is_allowed(name):
        return name in allowed or any(name.startswith(entry + ".") for entry in allowed)

    failing = sorted(n for n, o in static_cases.items() if o in ("failure", "error"))
    new = [n for n in failing if disk_cases.get(n) not in ("failure", "error") and not is_allowed(n)]
    if new:
        again = rerun(new)
        flaky = [n for n in new if again.get(n) == "ok"]
        if flaky:
            print(f"failed inside the static binary, then passed run alone (flaky): {flaky}")
        new = [n for n in new if n not in flaky]
    assert not new, f"fail inside the static binary only (fix, or allow-list with a reason): {new}\n" + static_stdout[-3000:]
    # Modules that failed without a failing test case of their own (import error, crash, env changed).
    silent = sorted(m for m in static_modules - disk_modules if not any(n.startswith(m + ".") or n.startswith("test." + m + ".") for n in failing)
                    and not is_allowed(m))
    assert not silent, f"test modules that failed only inside the static binary: {silent}\n" + static_stdout[-3000:]
    stale = sorted(entry for entry in allowed if not any(n == entry or n.startswith(entry + ".") for n in failing))
    if stale:
        print(f"allow-list entries that no longer fail (remove them): {stale}")


def junit_results(path):
    """{test case id: "ok" | "failure" | "error" | "skipped"} of regrtest's --junit-xml file."""
    results = {}
    if not path.exists():
        return results
    for case in ET.parse(path).iter("testcase"):
        outcome = "ok"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = child.tag
        results[case.get("name")] = outcome
    return results


def failed_modules(stdout):
    """Test modules regrtest lists as failed (failures, errors, crashes, import errors)."""
    names = set()
    for match in re.finditer(r"^\d+ tests? (?:failed|crashed|had errors|failed to run)[^:]*:\n((?:    .*\n)+)", stdout, re.M):
        names.update(match.group(1).split())
    return names


def selecting(case_ids):
    """regrtest arguments that run only `case_ids` (test ids as in --junit-xml): their test modules
    (or packages), narrowed by one --match each."""
    return [*(arg for case in case_ids for arg in ("--match", case)), *sorted({case.split(".")[1] for case in case_ids})]


def start_regrtest(python, tmp_path, name, tests=TESTS):
    """Starts `python -m test` over `tests`; returns finish() -> (cases, failed modules, counts, stdout)."""
    tmp_path.mkdir(exist_ok=True)
    xml = tmp_path / f"{name}.xml"
    cmd = [str(python), "-m", "test", f"-j{JOBS}", "--junit-xml", str(xml), "--timeout", "300", *tests]
    start = time.monotonic()
    out = open(tmp_path / f"{name}.out", "w+")
    process = subprocess.Popen(cmd, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, text=True,
                               env={"TMPDIR": str(tmp_path), "HOME": str(tmp_path), "LANG": "C.UTF-8"})

    def finish():
        try:
            process.wait(timeout=TIMEOUT)
        finally:
            process.kill()
        seconds = time.monotonic() - start
        out.seek(0)
        stdout = out.read()
        out.close()
        cases = junit_results(xml)
        counts = {
            "run": len(cases),
            "failed": sum(1 for o in cases.values() if o in ("failure", "error")),
            "skipped": sum(1 for o in cases.values() if o == "skipped"),
            "seconds": round(seconds),
        }
        print(f"\n{name}: {counts} modules failed: {sorted(failed_modules(stdout))}")
        return cases, failed_modules(stdout), counts, stdout

    return finish


def extract_lib_test(archive, dest, package="test"):
    """Lib/<package> of the CPython source archive as `dest` (by default the `test` package)."""
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.split("/")[1:3] == ["Lib", package] and m.name.count("/") >= 3]
        for member in members:
            member.name = member.name.split("/", 3)[3]
        tar.extractall(dest, members=members, filter="tar")


@pytest.fixture(scope="module")
def pythons(bazel, tmp_path_factory):
    """(static, disk) interpreters in python3's layout <root>/bin/python, <root>/lib/python3.13/test.

    Lib/test comes from the pinned source archive (as toolchains/cpython fetches it). Tests start
    `sys.executable -I -c "from test import support ..."`: python3 finds `test` in its stdlib
    directory, the static interpreter in <root>/lib/python3.13 after its embedded stdlib. The disk
    build gets a copy of the distribution's stdlib there.
    """
    archive = bazel.build_file("@pystatic_cpython_src_3_13//:file")
    bazel.run("build", "//examples/python", "//toolchains/cpython:cpython_3_13", MUSL)
    outputs = bazel.run("cquery", "//toolchains/cpython:cpython_3_13", MUSL, "--output=files").stdout.split()
    dist = next((bazel.execution_root() / p).resolve() for p in outputs if p.endswith("_dist"))
    root = tmp_path_factory.mktemp("pythons")
    static, disk = root / "static", root / "disk"
    extract_lib_test(archive, static / "lib" / "python3.13" / "test")
    shutil.copytree(dist / "lib" / "python3.13", disk / "lib" / "python3.13", symlinks=True)
    shutil.copytree(static / "lib" / "python3.13" / "test", disk / "lib" / "python3.13" / "test", symlinks=True)
    # The distribution's stdlib has no ensurepip (an interpreter embeds it): test_venv and
    # test_ensurepip need it from disk too.
    extract_lib_test(archive, disk / "lib" / "python3.13" / "ensurepip", "ensurepip")
    for home, binary, name in [(static, bazel.output_file("//examples/python", MUSL), "python"),
                               (disk, dist / "bin" / "python3.13", "python3.13")]:
        (home / "bin").mkdir()
        shutil.copy2(binary, home / "bin" / name)
    return static / "bin" / "python", disk / "bin" / "python3.13"


def test_static_interpreter_fails_no_regression_test_the_disk_build_passes(pythons, tmp_path):
    static, disk = pythons
    # Both at once: much of the suite waits (subprocesses, sleeps, sockets), so the two runs overlap well.
    finish_static = start_regrtest(static, tmp_path / "static", "static")
    finish_disk = start_regrtest(disk, tmp_path / "disk", "disk")
    static_cases, static_modules, static_counts, static_stdout = finish_static()
    disk_cases, disk_modules, disk_counts, _ = finish_disk()
    assert static_counts["run"] > 5000, static_stdout[-3000:]
    assert disk_counts["run"] > 5000
    assert_no_failure_of_the_static_binary_alone((static_cases, static_modules, static_stdout), (disk_cases, disk_modules),
                                                 read_allowlist(),
                                                 lambda cases: start_regrtest(static, tmp_path / "rerun", "rerun", selecting(cases))()[0])


def test_allowlist_entries_have_reasons():
    assert all(read_allowlist().values())
