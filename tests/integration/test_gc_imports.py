"""The cyclic garbage collector around imports of embedded modules (runtime/gc_promote.c): what an
import made moves to the oldest generation, and everything a program can see of the collector stays
as in python3 (thresholds, enabled, frozen objects, garbage freed by a collection, a failing import's
exception)."""

import json
import os
import subprocess

MUSL = "--platforms=//platforms:linux_musl"


def test_imports_move_their_objects_to_the_oldest_generation_and_keep_the_collector_s_settings(bazel, tmp_path):
    binary = bazel.build_file("//tests/binary:gc_imports", MUSL)
    result = subprocess.run([str(binary)], capture_output=True, text=True, env={"TMPDIR": str(tmp_path)}, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    frozen = report.pop("frozen")
    assert frozen > 0
    assert report == {
        # python3.13's defaults; nothing left frozen after start-up.
        "threshold": [2000, 10, 10], "enabled": True, "freeze_count": 0,
        # Garbage an import left behind is freed, its finalizer run, by gc.collect().
        "cycle_freed": True, "cycle_events": ["finalized"],
        # A module's objects: in the oldest generation (python3 leaves them in a young one).
        "generations_of_module_objects": [2],
        # The program's settings: seen inside an import and kept after it; its frozen objects stay frozen.
        "seen_inside": {"threshold": [1234, 5, 6], "enabled": False, "freeze_count": frozen},
        "after": {"threshold": [1234, 5, 6], "enabled": False, "frozen_kept": True},
        "seen_inside_enabled": {"threshold": [1234, 5, 6], "enabled": True, "freeze_count": frozen},
        "after_enabled": {"threshold": [1234, 5, 6], "enabled": True, "frozen_kept": True},
        "broken": "broken on purpose",
        "freeze_count_at_end": 0,
    }
    assert os.listdir(tmp_path) == []
