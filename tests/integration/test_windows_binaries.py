"""py_static_binary for Windows from the same BUILD rules as Linux (docs/windows.md): //examples/hello
and //examples/cli cross-built with --platforms=//platforms:windows_x86_64, run under wine with the
expectations of their Linux tests (test_binary.py), only what Windows differs in spelled out."""

import json
import re

import pytest

from pystatic.binary.verify_pe import SYSTEM_DLLS, static_problems
from test_windows import PLATFORM, ROW, run_under_wine, wine  # noqa: F401 (wine: the fixture)

EXAMPLES = ["//examples/hello", "//examples/cli", "//tests/windows_runtime:hello_windows"]


@pytest.fixture(scope="module")
def executables(bazel):
    # Validation outputs (the imports lists read below) are not top-level: a disk-cache hit leaves
    # them in the cache unless every output is asked for.
    bazel.run("build", *EXAMPLES, PLATFORM, "--remote_download_all")
    found = {}
    for target in EXAMPLES:
        files = bazel.run("cquery", target, PLATFORM, "--output=files").stdout.split()
        (exe,) = [f for f in files if f.endswith(".exe")]
        found[target.rpartition("/")[2].rpartition(":")[2]] = (bazel.execution_root() / exe).resolve()
    return found


def test_the_examples_are_exe_files_importing_only_windows_dlls(executables):
    for name, exe in executables.items():
        assert exe.name == f"{name}.exe"
        assert static_problems(exe, ROW["pe_machine"]) == []
        # The build's own check (PyStaticVerifyPe, a validation action) listed the DLLs.
        imports = exe.with_name(f"{name}.imports.txt").read_text().split()
        assert "KERNEL32.dll" in imports and all(dll.lower() in SYSTEM_DLLS or dll.lower().startswith("api-ms-win-")
                                                 for dll in imports), imports


def test_hello_runs_under_wine(executables, wine):
    result = run_under_wine(wine, executables["hello"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.fullmatch(r"hello from rules_pystatic: Python 3\.13\.\d+ on win32, one static executable\n"
                        r"sys\.executable = Z:\\.*\\hello\.exe\n", result.stdout), result.stdout


def test_cli_uses_the_stdlib_c_extensions_package_data_and_processes(executables, wine):
    cli = executables["cli"]

    def cli_json(*args):
        result = run_under_wine(wine, cli, *args)
        assert result.returncode == 0, (args, result.stderr[-3000:])
        return json.loads(result.stdout)

    info = cli_json("info")
    assert info["openssl"].startswith("OpenSSL 3.") and info["sqlite"].startswith("3.")
    assert info["decimal"] == "0.1428571428571428571428571429" and info["zlib"].startswith("1.3")
    assert info["motd"].startswith("Packaged with rules_pystatic")
    assert info["distribution"] == "1.0.0" and info["console_scripts"] == ["pystatic-cli"]
    assert info["data_files"] == ["motd.txt", "schema.sql"]
    notes = cli_json("notes", "a", "b")
    assert [n["body"] for n in notes] == ["a", "b"] and notes[0]["sha256"] == "ca978112ca1b"
    assert cli_json("compress", "xyz")["raw"] == 300
    # Windows is LLP64: a C long is 4 bytes (8 on Linux x86_64).
    assert cli_json("ctypes") == {"callback": 42, "array_sum": 10, "sizeof_long": 4}
    assert cli_json("tls")["verify"] == "CERT_REQUIRED"
    # spawn, Windows' only start method: the children re-run the .exe.
    workers = cli_json("workers", "--start-method", "spawn", "a", "b", "c")
    assert workers["digests"] == ["ca978112ca1bbdca", "3e23e8160039594a", "2e7d2c03a9507ae2"] and workers["pid_differs"]
    version = run_under_wine(wine, cli, "--version")
    assert (version.returncode, version.stdout) == (0, "1.0.0\n")


def test_cli_exit_codes_and_tracebacks_with_source_lines(executables, wine):
    cli = executables["cli"]
    assert run_under_wine(wine, cli, "fail", "--exit-code", "7").returncode == 7
    result = run_under_wine(wine, cli, "fail")
    assert result.returncode == 1
    assert 'raise RuntimeError("failing on purpose")' in result.stderr
    frames = re.findall(r'File "([^"]*)"', result.stderr)
    # Windows' own separator below the executable, as os.path.abspath spells it.
    assert frames and all(re.fullmatch(r"Z:\\.*\\cli\.exe\\pystatic_cli\\main\.py", f) for f in frames), result.stderr


def test_a_program_with_package_data_runs_from_the_blob(executables, wine):
    """tests/windows_runtime/hello_windows.py: the wide command line, the entry point's return value
    as the exit status, multiprocessing's spawn re-running the .exe (sys.frozen:
    `--multiprocessing-fork`), and the file view: open, listdir, isdir, getsize, pathlib below the
    executable with `\\` (ntpath.join) or `/`, writes refused with EROFS."""
    result = run_under_wine(wine, executables["hello_windows"], "one", "two wörds")
    assert (result.returncode, result.stdout.splitlines()) == (3, [
        "hello from rules_pystatic on win32 argv ['one', 'two wörds']",
        "executable hello_windows.exe frozen True",
        "module hello_windows from the blob: True",
        "json {'ünïcode': [1, 2.5, None]}",
        "file grüße from the blob ['greeting.txt', 'more'] True False False 22",
        "pathlib grüße from the blob ['greeting.txt', 'more']",
        "write EROFS",
        "spawn pool [0, 1, 4, 9, 16]",
    ]), result.stderr[-3000:]
