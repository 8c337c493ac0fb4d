"""check_native_exports.py: after the link, every name a wheel needs strongly is defined in the
executable (read back from its export table, or its .symtab for a position-independent link)."""

import json

from pystatic.binary import check_native_exports
from pystatic.binary.native_objects import exports_table
from test_native_exports import archives, run_gate
from zig_builds import TABLE_WALKER, link_static, shared_object

MODULE = """
extern int PyFake_Answer(void), PyFake_Missing(void);
__attribute__((weak)) extern int weak_missing(void);
int PyInit_mod(void) { return PyFake_Answer() + PyFake_Missing() + (weak_missing ? weak_missing() : 0); }
"""


def linked(tmp_path, flags=()):
    """(executable, report) of a module needing PyFake_Missing, which no archive defines."""
    so = shared_object(tmp_path / "tree", "mod.so", MODULE)
    code, out = run_gate(tmp_path, "x86_64", [("modpkg@2.1", "modpkg/_mod.so", so)])
    assert code == 0
    (tmp_path / "main.c").write_text(TABLE_WALKER)
    exe = link_static(tmp_path, "x86_64", [tmp_path / "main.c", out / "exports.S"] + archives(tmp_path, "x86_64"),
                      [f"-Wl,--script={out / 'exports.ld'}"] + list(flags))
    return exe, out / "report.json"


def test_a_missing_strong_symbol_is_named(tmp_path, capsys):
    exe, report = linked(tmp_path)  # the link succeeds: the linker script PROVIDEs 0 for a forced name nothing defines
    assert "PyFake_Missing" not in exports_table.defined_symbols(exe)  # the PROVIDEd absolute 0
    assert check_native_exports.main(["--executable", str(exe), "--report", str(report), "--stamp", str(tmp_path / "stamp")]) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1  # weak_missing is fine, PyFake_Answer is defined
    assert "error: modpkg 2.1: modpkg/_mod.so needs the symbol PyFake_Missing from the executable, which does not define it" in err
    assert 'build_from_source = ["modpkg"]' in err
    assert not (tmp_path / "stamp").exists()


def test_a_stripped_executable_is_read_through_its_table(tmp_path, capsys):
    exe, report = linked(tmp_path, ["-Wl,--strip-all"])
    assert check_native_exports.defined_names(exe) >= {"PyFake_Answer"}
    assert check_native_exports.main(["--executable", str(exe), "--report", str(report)]) == 1
    assert "PyFake_Missing" in capsys.readouterr().err


def test_all_defined_passes_and_writes_the_stamp(tmp_path):
    exe, report = linked(tmp_path)
    data = json.loads(report.read_text())
    data["objects"][0]["strong"].remove("PyFake_Missing")
    report.write_text(json.dumps(data))
    params = tmp_path / "params"
    params.write_text(f"--executable\n{exe}\n--report\n{report}\n--stamp\n{tmp_path / 'stamp'}\n")
    assert check_native_exports.main([f"@{params}"]) == 0
    assert (tmp_path / "stamp").exists()


def test_an_executable_without_the_table_is_read_through_its_symtab(tmp_path):
    (tmp_path / "plain.c").write_text("int PyFake_Answer(void) { return 1; }\nint main(void) { return PyFake_Answer(); }\n")
    exe = link_static(tmp_path, "x86_64", [tmp_path / "plain.c"])
    assert "PyFake_Answer" in check_native_exports.defined_names(exe)
    stripped = link_static(tmp_path, "x86_64", [tmp_path / "plain.c"], ["-Wl,--strip-all"], name="stripped")
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"provided_libraries": [], "objects": []}))
    assert check_native_exports.main(["--executable", str(stripped), "--report", str(report)]) == 1


def test_a_position_independent_executable_is_read_through_its_symtab(tmp_path, capsys):
    # zig cc links -static -fPIE as a static PIE: the table's addresses are relocated at run time.
    exe, report = linked(tmp_path, ["-fPIE"])
    assert exports_table.read_exports(exe) is None
    assert {"PyFake_Answer", "pystatic_exports"} <= check_native_exports.defined_names(exe)
    assert "PyFake_Missing" not in check_native_exports.defined_names(exe)
    assert check_native_exports.main(["--executable", str(exe), "--report", str(report)]) == 1
    assert "PyFake_Missing" in capsys.readouterr().err
