"""bench/pgo/generate's steps that need no build: replaying the action's command line, the tests' extraction."""

import io
import pathlib
import tarfile
from importlib.machinery import SourceFileLoader

GENERATE = SourceFileLoader("pgo_generate", str(pathlib.Path(__file__).resolve().parents[2] / "bench" / "pgo" / "generate")).load_module()


def test_the_replayed_command_changes_only_the_named_options():
    argv = ["python3", "build_cpython.py", "--version", "3.13.15", "--output", "bazel-out/d", "--log", "bazel-out/l"]
    replaced = GENERATE.replace_option(argv, "--output", "/w/dist")
    assert replaced == ["python3", "build_cpython.py", "--version", "3.13.15", "--output", "/w/dist", "--log", "bazel-out/l"]
    assert argv[5] == "bazel-out/d"  # not changed in place
    assert GENERATE.option(replaced, "--version") == "3.13.15"


def test_lib_test_of_the_archive_lands_in_the_stdlib(tmp_path):
    archive = tmp_path / "Python-3.13.15.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        for name, data in (("Python-3.13.15/Lib/test/__init__.py", b""), ("Python-3.13.15/Lib/test/support/x.py", b"X = 1\n"),
                           ("Python-3.13.15/Lib/os.py", b"os\n"), ("Python-3.13.15/Modules/main.c", b"")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    stdlib = tmp_path / "lib" / "python3.13"
    stdlib.mkdir(parents=True)
    GENERATE.extract_tests(archive, stdlib)
    assert sorted(str(p.relative_to(stdlib)) for p in stdlib.rglob("*") if p.is_file()) == ["test/__init__.py", "test/support/x.py"]
    assert (stdlib / "test" / "support" / "x.py").read_text() == "X = 1\n"

