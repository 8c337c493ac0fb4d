"""The file view's stat and listdir served in C (runtime/tree_stat.c): the same answers as its
Python handlers (runtime/_pystatic_files.py) for every entry of a tree, with no handler run."""

import json
import os
import subprocess

MUSL = "--platforms=//platforms:linux_musl"


def test_stat_and_listdir_in_c_answer_as_the_python_handlers(bazel, tmp_path):
    binary = bazel.build_file("//tests/binary:tree_stat", MUSL)
    result = subprocess.run([str(binary)], capture_output=True, text=True, env={"TMPDIR": str(tmp_path)}, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["mismatches"] == []
    # Every directory of the package and of encodings (modules' sources, __init__.py, subpackages,
    # data files and directories, a namespace directory), served without a Python handler.
    assert report["listings"] >= 5 and report["stats"] >= 100, report
    assert report["python_handlers"] == []
    assert report["treepkg"] == ["__init__.py", "data", "mod.py", "nsdir", "sub"]
    assert report["sizes"] == [700, 2]
    # What C leaves to the handlers (errors, paths to normalise, bytes) still answers as they do.
    assert report["other"] == {path: [True, True, True] for path in report["other"]} and len(report["other"]) == 10
    assert os.listdir(tmp_path) == []
