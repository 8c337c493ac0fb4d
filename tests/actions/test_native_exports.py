"""native_exports.py: the gate over a binary's wheel shared objects and the export table it writes,
assembled and linked by zig cc into static executables of both CPUs that walk it at run time."""

import json

import pytest

from pystatic.binary import native_exports
from pystatic.binary.native_objects import exports_table
from zig_builds import MACHINES, TABLE_WALKER, TRIPLES, cc, link_static, run_executable, shared_object, static_archive

# A module needing names in an order strcmp sorts differently from a case-insensitive sort, a libc
# function, a Python-like function only an archive defines, and two weak names.
MODULE = """
extern int PyFake_Answer(void);
extern int Zeta_fn(void), abc_fn(void);
extern int _abc_data;
extern unsigned long strlen(const char *);
__attribute__((weak)) extern int weak_in_archive(void);
__attribute__((weak)) extern int weak_missing(void);
int PyInit_mod(const char *s) {
    return PyFake_Answer() + Zeta_fn() + abc_fn() + _abc_data + (int)strlen(s)
        + (weak_in_archive ? weak_in_archive() : 0) + (weak_missing ? weak_missing() : 0);
}
"""
EXPECTED_ORDER = ["PyFake_Answer", "Zeta_fn", "_abc_data", "abc_fn", "strlen", "weak_in_archive", "weak_missing"]


def run_gate(tmp_path, cpu, objects, provided=("libz.so.1",), param_file=False):
    """native_exports.main over [(package, tree path, file)]: (exit code, outputs directory)."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    args = ["--elf_machine", MACHINES[cpu], "--cpu", cpu, "--asm", out / "exports.S", "--link_script", out / "exports.ld",
            "--report", out / "report.json"]
    for package, tree_path, file in objects:
        args += ["--object", f"{package}={tree_path}={file}"]
    for library in provided:
        args += ["--provided_library", library]
    args = [str(a) for a in args]
    if param_file:
        (tmp_path / "params").write_text("\n".join(args) + "\n")
        args = [f"@{tmp_path / 'params'}"]
    return native_exports.main(args), out


def archives(directory, cpu):
    """Static archives standing for the distribution's libraries: one member each."""
    return [
        static_archive(directory, "libfake.a", "int PyFake_Answer(void) { return 42; }\n", cpu),
        static_archive(directory, "libother.a", "int Zeta_fn(void) { return 1; }\nint abc_fn(void) { return 2; }\nint _abc_data = 3;\n", cpu),
        static_archive(directory, "libweak.a", "int weak_in_archive(void) { return 5; }\n", cpu),
    ]


@pytest.mark.parametrize("cpu", ["x86_64", "aarch64"])
def test_the_table_links_into_a_static_executable_and_works(tmp_path, cpu):
    so = shared_object(tmp_path / "tree", "mod.so", MODULE, cpu)
    code, out = run_gate(tmp_path, cpu, [("mod@1.0", "mod/mod.cpython-313-x86_64-linux-musl.so", so)], param_file=True)
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert [e["name"] for e in report["exports"]] == EXPECTED_ORDER
    assert {e["name"] for e in report["exports"] if not e["strong"]} == {"weak_in_archive", "weak_missing"}
    [entry] = report["objects"]
    assert entry["package"] == "mod@1.0" and entry["weak"] == ["weak_in_archive", "weak_missing"]
    assert "EXTERN(\"PyFake_Answer\")" in (out / "exports.ld").read_text()
    assert "weak_in_archive" not in (out / "exports.ld").read_text()  # weak needs are not forced
    (tmp_path / "main.c").write_text(TABLE_WALKER)
    (tmp_path / "main_src").mkdir()
    cc(["-target", TRIPLES[cpu], "-c", "-o", tmp_path / "exports.o", out / "exports.S"], tmp_path)  # assembles alone
    libs = archives(tmp_path, cpu)
    exe = link_static(tmp_path, cpu, [tmp_path / "main.c", out / "exports.S"] + libs, [f"-Wl,--script={out / 'exports.ld'}"])
    run = run_executable(exe, cpu)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "PyFake_Answer 1", "answer 42", "Zeta_fn 1", "_abc_data 1", "abc_fn 1", "strlen 1",
        "weak_in_archive 0",  # weak and not forced: the archive member stays out
        "weak_missing 0", "library libz.so.1",
    ]
    # The table is also what check_native_exports reads back.
    assert exports_table.read_exports(exe)["PyFake_Answer"] != 0
    assert exports_table.read_exports(exe)["weak_missing"] == 0


def test_without_the_linker_script_weak_references_pull_nothing(tmp_path):
    so = shared_object(tmp_path / "tree", "mod.so", MODULE)
    assert run_gate(tmp_path, "x86_64", [("mod@1.0", "mod/mod.so", so)])[0] == 0
    (tmp_path / "main.c").write_text(TABLE_WALKER)
    exe = link_static(tmp_path, "x86_64", [tmp_path / "main.c", tmp_path / "out" / "exports.S"] + archives(tmp_path, "x86_64"))
    lines = run_executable(exe, "x86_64").stdout.splitlines()
    assert "PyFake_Answer 0" in lines and "Zeta_fn 0" in lines and "strlen 1" in lines  # strlen: main's printf pulls it anyway
    assert not any(line.startswith("answer") for line in lines)


def test_problems_exit_1_naming_package_file_and_fix(tmp_path, capsys):
    so = shared_object(tmp_path, "ie.so", "__thread int t;\nint *g(void) { return &t; }\n", flags=["-ftls-model=initial-exec"])
    lib = shared_object(tmp_path, "libmystery.so.3", "int mystery(void) { return 3; }\n", flags=["-Wl,-soname,libmystery.so.3"])
    needs_lib = shared_object(tmp_path, "needs.so", "int mystery(void);\nint f(void) { return mystery(); }\n", flags=[lib])
    code, out = run_gate(tmp_path, "x86_64", [("tlspkg@3.1", "tlspkg/ie.so", so), ("libpkg@0.1", "libpkg/needs.so", needs_lib)])
    assert code == 1 and not (out / "exports.S").exists()
    err = capsys.readouterr().err
    assert "error: tlspkg 3.1: tlspkg/ie.so has 1 R_X86_64_TPOFF64 relocation: initial-exec TLS" in err
    assert "error: libpkg 0.1: libpkg/needs.so needs the library libmystery.so.3 (DT_NEEDED)" in err
    assert 'build_from_source = ["tlspkg"]' in err and 'build_from_source = ["libpkg"]' in err and "leave libpkg out" in err


def test_a_malformed_object_argument(tmp_path, capsys):
    with pytest.raises(SystemExit):
        native_exports.main(["--object", "pkg=only-two", "--elf_machine", "EM_X86_64", "--cpu", "x86_64", "--asm", "a",
                             "--link_script", "b", "--report", "c"])
    assert "expected NAME@VERSION=TREE_PATH=FILE" in capsys.readouterr().err


def test_assembly_quotes_names_and_sorts_bytes():
    text = exports_table.assembly(["b", "B", "_x", "a$b.c"], ["libz.so.1"])
    assert text.index('"B"') < text.index('"_x"') < text.index('"a$b.c"') < text.index('"b"')
    assert '.weak "a$b.c"' in text and '.asciz "libz.so.1"' in text
    with pytest.raises(ValueError, match="cannot be written in assembly"):
        exports_table.assembly(['bad"name'], [])


def test_the_linker_script_keeps_the_table_under_gc_sections(tmp_path):
    # The loader references the table; were it not (or in an archive linked later), EXTERN keeps it.
    so = shared_object(tmp_path / "tree", "mod.so", MODULE)
    assert run_gate(tmp_path, "x86_64", [("mod@1.0", "mod/mod.so", so)])[0] == 0
    (tmp_path / "plain.c").write_text("int main(void) { return 0; }\n")
    inputs = [tmp_path / "plain.c", tmp_path / "out" / "exports.S"] + archives(tmp_path, "x86_64")
    kept = link_static(tmp_path, "x86_64", inputs, [f"-Wl,--script={tmp_path / 'out' / 'exports.ld'}"], name="kept")
    assert exports_table.read_exports(kept)["PyFake_Answer"] != 0
    collected = link_static(tmp_path, "x86_64", inputs, name="collected")
    assert exports_table.read_exports(collected) is None  # unreferenced, --gc-sections drops it
