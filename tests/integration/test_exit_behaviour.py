"""At exit a py_static_binary behaves as python3 running the same program: non-daemon threads
joined, then atexit handlers in reverse order, buffered output flushed (stdout, a file left open in a
module global and one in a reference cycle, which the collections of Py_FinalizeEx flush), the exit
status of SystemExit and of an uncaught exception. Why finalisation is kept as it is:
docs/import-protocol.md, "Start-up of large applications"."""

import pathlib
import subprocess
import sys

import pytest

MUSL = "--platforms=//platforms:linux_musl"
SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "binary" / "exit_behaviour" / "exit_main.py"


@pytest.fixture(scope="module")
def binary(bazel):
    return bazel.build_file("//tests/binary:exit_behaviour", MUSL)


def outcome(cmd, mode, directory):
    directory.mkdir()
    prefix = str(directory / "out")
    result = subprocess.run([*cmd, mode, prefix], capture_output=True, text=True, timeout=60)
    files = {suffix: pathlib.Path(prefix + suffix).read_text() for suffix in (".thread", ".global", ".cycle")}
    last_error_line = (result.stderr.strip().splitlines() or [""])[-1]
    return result.returncode, result.stdout, last_error_line, files


@pytest.mark.parametrize("mode, status", [("return", 0), ("exit3", 3), ("exitstr", 1), ("raise", 1)])
def test_exit_is_as_python3_s(binary, tmp_path, mode, status):
    ours = outcome([str(binary)], mode, tmp_path / "ours")
    python3 = outcome([sys.executable, str(SCRIPT)], mode, tmp_path / "python3")
    assert ours == python3
    assert ours[0] == status
    assert ours[1] == "main printed thread printed\natexit registered second\natexit registered first\n"
    assert ours[3] == {".thread": "thread finished", ".global": "global, never closed", ".cycle": "in a cycle, never closed"}
    assert ours[2] == {"return": "", "exit3": "", "exitstr": "exit message", "raise": "RuntimeError: raised at exit"}[mode]
