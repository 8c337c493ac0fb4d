"""runtime/_pystatic_python_flags.py: python3's interpreter flags on a command line that runs the
executable as python3 (`<exe> -u -m server`), applied after start-up as python3 would have. Each case
runs in a child interpreter, as the flags change its sys and its standard streams."""

import json
import pathlib
import select
import subprocess
import sys

RUNTIME = pathlib.Path(__file__).resolve().parents[2] / "runtime"
sys.path.insert(0, str(RUNTIME))
import _pystatic_python_flags as flags  # noqa: E402

# What the child reports after apply(): its streams, warning filters and options.
REPORT = """
import json, sys, warnings
import _pystatic_python_flags as flags
argv = json.loads(sys.argv[1])
flags.apply(argv, len(argv))
print(json.dumps({
    "stdout": [type(sys.stdout.buffer).__name__, sys.stdout.write_through, sys.stdout.buffer.name, sys.stdout.mode],
    "stderr": [type(sys.stderr.buffer).__name__, sys.stderr.write_through, sys.stderr.errors],
    "same_as_dunder": sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__,
    "dont_write_bytecode": sys.dont_write_bytecode,
    "warnoptions": sys.warnoptions, "first_filter": [warnings.filters[0][0], warnings.filters[0][2].__name__],
    "xoptions": sys._xoptions, "int_max_str_digits": sys.get_int_max_str_digits(),
}))
if "--wait" in argv:
    sys.stdin.read()
"""


def _child(argv, wait=False):
    return subprocess.Popen([sys.executable, "-c", REPORT, json.dumps(argv + (["--wait"] if wait else []))],
                            env={"PYTHONPATH": str(RUNTIME)}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_parse_splits_letters_warning_and_x_options():
    argv = ["exe", "-uB", "-W", "error", "-Wdefault", "-X", "dev", "-Xutf8", "-E", "-m", "mod"]
    assert flags.parse(argv, 9) == ("uBE", ["error", "default"], ["dev", "utf8"])
    assert flags.parse(["exe", "-m", "mod"], 1) == ("", [], [])


def test_dash_u_makes_stdout_and_stderr_unbuffered_as_python3_does():
    # python3 -u: a raw FileIO named <stdout> under a text layer that writes through.
    child = _child(["exe", "-u"], wait=True)
    # The line arrives while the child still runs (it waits on stdin): nothing sits in a buffer.
    assert select.select([child.stdout], [], [], 60)[0], "no line before the child's exit: stdout is buffered"
    report = json.loads(child.stdout.readline())
    child.stdin.close()
    assert child.wait(60) == 0, child.stderr.read()
    assert report["stdout"] == ["FileIO", True, "<stdout>", "w"]
    assert report["stderr"][:2] == ["FileIO", True] and report["same_as_dunder"]


def test_without_flags_the_streams_stay_buffered():
    out, err = _child(["exe"]).communicate("", timeout=60)
    report = json.loads(out)
    assert report["stdout"][:2] == ["BufferedWriter", False] and not report["dont_write_bytecode"], err


def test_dash_b_w_and_x_options_apply_as_in_python3():
    argv = ["exe", "-B", "-X", "dev", "-W", "error::DeprecationWarning", "-Xint_max_str_digits=5000"]
    out, err = _child(argv).communicate("", timeout=60)
    report = json.loads(out)
    assert report["dont_write_bytecode"], err
    # python3 -X dev -W error::DeprecationWarning: the same warnoptions, the -W option's filter first.
    assert report["warnoptions"] == ["default", "error::DeprecationWarning"]
    assert report["first_filter"] == ["error", "DeprecationWarning"]
    assert report["xoptions"] == {"dev": True, "int_max_str_digits": "5000"} and report["int_max_str_digits"] == 5000
