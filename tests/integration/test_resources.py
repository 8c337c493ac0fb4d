"""importlib.resources on embedded package data (runtime/_pystatic_resources.py's EmbeddedPath)."""

import json
import subprocess

MUSL = "--platforms=//platforms:linux_musl"


def test_files_of_a_package_answer_as_pathlib_and_zipfile_paths_do(bazel):
    binary = bazel.build_file("//tests/binary:resource_paths", MUSL)
    result = subprocess.run([str(binary)], capture_output=True, text=True, env={}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "exists": [True, True, False],
        "suffix": [".flf", ".gz", ""],
        "suffixes": [[".flf"], [".tar", ".gz"]],
        "stem": ["slant", "big.tar"],
        "parent": [True, True],
        "text": "flf2a$ slant\n",
    }
