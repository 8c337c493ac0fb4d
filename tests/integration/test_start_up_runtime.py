"""What the runtime does for the start-up of large applications (docs/import-protocol.md, "Second
round"): the cyclic garbage collector around imports of embedded modules (runtime/gc_promote.c:
what an import made moves to the oldest generation, and everything a program can see of the
collector stays as in python3), and the file view's stat and listdir served in C
(runtime/tree_stat.c: the same answers as the Python handlers of runtime/_pystatic_files.py)."""

import json
import os
import subprocess

MUSL = "--platforms=//platforms:linux_musl"


def report_of(bazel, target, tmp_path):
    """The JSON a test binary prints, run with an empty environment and a private TMPDIR."""
    binary = bazel.build_file(target, MUSL)
    result = subprocess.run([str(binary)], capture_output=True, text=True, env={"TMPDIR": str(tmp_path)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert os.listdir(tmp_path) == []
    return json.loads(result.stdout)


def test_imports_move_their_objects_to_the_oldest_generation_and_keep_the_collector_s_settings(bazel, tmp_path):
    report = report_of(bazel, "//tests/binary:gc_imports", tmp_path)
    frozen = report.pop("frozen")
    assert frozen > 0
    assert report == {
        # python3.13's defaults; nothing left frozen after start-up.
        "threshold": [2000, 10, 10], "enabled": True, "freeze_count": 0,
        # Garbage an import left behind is freed, its finalizer run, by gc.collect().
        "cycle_freed": True, "cycle_events": ["finalized"],
        # A module's objects: in the oldest generation (python3 leaves them in a young one).
        "generations_of_module_objects": [2],
        # Tuples of untracked objects only are untracked on the way, as a collection does it;
        # python3 leaves them tracked until the first collection after the import.
        "tuples_tracked": {"atomic": False, "nested_atomic": False, "holds_a_list": True},
        # The program's settings: seen inside an import and kept after it; its frozen objects stay frozen.
        "seen_inside": {"threshold": [1234, 5, 6], "enabled": False, "freeze_count": frozen},
        "after": {"threshold": [1234, 5, 6], "enabled": False, "frozen_kept": True},
        "seen_inside_enabled": {"threshold": [1234, 5, 6], "enabled": True, "freeze_count": frozen},
        "after_enabled": {"threshold": [1234, 5, 6], "enabled": True, "frozen_kept": True},
        "broken": "broken on purpose",
        "freeze_count_at_end": 0,
    }


def test_stat_and_listdir_in_c_answer_as_the_python_handlers(bazel, tmp_path):
    report = report_of(bazel, "//tests/binary:tree_stat", tmp_path)
    assert report["mismatches"] == []
    # Every directory of the package and of encodings (modules' sources, __init__.py, subpackages,
    # data files and directories, a namespace directory), served without a Python handler.
    assert report["listings"] >= 5 and report["stats"] >= 100, report
    assert report["python_handlers"] == []
    assert report["treepkg"] == ["__init__.py", "data", "mod.py", "nsdir", "sub"]
    assert report["sizes"] == [700, 2]
    # What C leaves to the handlers (errors, paths to normalise, bytes) still answers as they do.
    assert report["other"] == {path: [True, True, True] for path in report["other"]} and len(report["other"]) == 10
