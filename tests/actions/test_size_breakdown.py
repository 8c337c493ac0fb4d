"""bench/size_breakdown.py on a real archive and executable built with the host's cc."""

import pathlib
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))
import size_breakdown  # noqa: E402

pytestmark = pytest.mark.skipif(not (shutil.which("cc") and shutil.which("ar") and shutil.which("nm")), reason="needs cc, ar, nm")


def test_symbols_are_attributed_to_the_archive_member_that_defines_them(tmp_path):
    (tmp_path / "big.c").write_text("const char big_table[20000] = {1};\nint big(int i) { return big_table[i]; }\n")
    (tmp_path / "small.c").write_text("int small_counter = 3;\nint small(void) { return small_counter; }\n")
    (tmp_path / "unused.c").write_text("const char unused_table[50000] = {1};\n")
    (tmp_path / "main.c").write_text("int big(int); int small(void);\nint main(int c, char **v) { return big(c) + small(); }\n")
    for name in ("big", "small", "unused"):
        subprocess.run(["cc", "-O1", "-c", f"{name}.c"], cwd=tmp_path, check=True)
    subprocess.run(["ar", "rcs", "libdemo.a", "big.o", "small.o", "unused.o"], cwd=tmp_path, check=True)
    subprocess.run(["cc", "-o", "demo", "main.c", "libdemo.a"], cwd=tmp_path, check=True)
    by_library, by_member = size_breakdown.breakdown(str(tmp_path / "demo"), [("demo", str(tmp_path / "libdemo.a"))])
    assert by_library["demo"]["read-only data"] == 20000  # big_table; unused.o is not linked
    assert by_library["demo"]["data"] == 4 and by_library["demo"]["code"] > 0
    assert by_member[("demo", "big.o")] > by_member[("demo", "small.o")] > 0
    assert ("demo", "unused.o") not in by_member
    table = size_breakdown.report(str(tmp_path / "demo"), [("demo", str(tmp_path / "libdemo.a"))], top=3)
    assert "| demo | big.o | 0.02 |" in table
