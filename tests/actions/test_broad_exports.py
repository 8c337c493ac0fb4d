"""broad_exports.py and native_exports.py's interpreter mode: the table of libpython's C API, zlib
and musl's public names that a py_static_interpreter serves to shared objects on disk."""

import json
import pathlib

from pystatic.binary import check_native_exports, native_exports
from pystatic.binary.native_objects import broad_exports, exports_table
from zig_builds import MACHINES, link_static, run_executable, static_archive, zig

LIBC_S = """\
#ifdef PTR64
#define WEAK64 .weak
#else
#define WEAK64 .globl
#endif
.text
.globl malloc
.type malloc, %function;
malloc:
.weak pthread_getspecific
WEAK64 lseek64
#ifdef FAMILY_x86
.globl arch_prctl
#endif
#if !defined(ARCH_aarch64) && !defined(ARCH_riscv64)
.globl old_syscall
#else
.globl new_syscall
#ifdef TIME32
.globl time32_only
#endif
#endif
#ifdef TIME32
.globl __time32_thing
#endif
.globl dlopen
.globl _dl_debug_state
.globl _init
.globl __tls_get_addr
.globl __cxa_atexit
.globl __cxa_pure_virtual
"""


def test_libc_names_evaluate_the_ifdefs_per_cpu_and_leave_out_the_loaders_and_cxx_names():
    common = {"malloc", "pthread_getspecific", "lseek64", "__cxa_atexit"}
    assert broad_exports.libc_names(LIBC_S, "x86_64") == common | {"arch_prctl", "old_syscall"}
    assert broad_exports.libc_names(LIBC_S, "aarch64") == common | {"new_syscall"}


def test_zigs_musl_list():
    text = (pathlib.Path(zig()).parent / "lib" / "libc" / "musl" / "libc.S").read_text()
    x86_64, aarch64 = broad_exports.libc_names(text, "x86_64"), broad_exports.libc_names(text, "aarch64")
    for name in ("malloc", "pthread_getspecific", "qsort_r", "__errno_location", "stdout", "getaddrinfo"):
        assert name in x86_64 and name in aarch64, name
    assert x86_64 - aarch64 == {"arch_prctl", "ioperm", "iopl"} and not aarch64 - x86_64
    assert not {n for n in x86_64 if n.startswith(("dl", "_dl"))} and "_init" not in x86_64
    assert len(x86_64) > 1500


def test_archive_index_gives_the_python_api_and_zlib_but_not_internals(tmp_path):
    archive = static_archive(tmp_path, "libpython.a", """
        int PyLong_FromLong_(void) { return 1; }
        int _Py_Dealloc_(void) { return 2; }
        int PyInit__ssl(void) { return 3; }
        int PyExpat_XML_Parse(void) { return 4; }
        int deflateInit2_(void) { return 5; }
        int inflate_fast(void) { return 6; }
        int gzopen64(void) { return 7; }
        int gz_error(void) { return 8; }
        int crc32_combine64(void) { return 9; }
        int SSL_new(void) { return 10; }
        static int PyLocal(void) { return 11; }
        int use(void) { return PyLocal(); }
    """)
    index = broad_exports.archive_index(archive)
    assert {"PyLong_FromLong_", "SSL_new", "use", "inflate_fast"} <= index and "PyLocal" not in index
    assert broad_exports.python_and_zlib_names(index) == {
        "PyLong_FromLong_", "_Py_Dealloc_", "deflateInit2_", "gzopen64", "crc32_combine64"}


def test_interpreter_mode_forces_every_name_and_the_check_accepts_what_the_link_lacks(tmp_path):
    archive = static_archive(tmp_path, "libpython.a", "int PyFake_Api(void) { return 42; }\n")
    libc_s = tmp_path / "libc.S"
    libc_s.write_text(LIBC_S + ".globl pystatic_test_not_in_static_libc\n")
    out = tmp_path / "out"
    out.mkdir()
    args = ["--elf_machine", MACHINES["x86_64"], "--cpu", "x86_64", "--provided_library", "libz.so.1",
            "--asm", out / "exports.S", "--link_script", out / "exports.ld", "--report", out / "report.json",
            "--export_all_from", archive, "--libc_symbols", libc_s]
    assert native_exports.main([str(a) for a in args]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["broad"] and report["objects"] == []
    assert {e["name"] for e in report["exports"]} == {
        "PyFake_Api", "malloc", "pthread_getspecific", "lseek64", "__cxa_atexit", "arch_prctl", "old_syscall",
        "pystatic_test_not_in_static_libc"}
    script = (out / "exports.ld").read_text()
    assert 'EXTERN("PyFake_Api")' in script and 'EXTERN("qsort_r")' not in script
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    exe = link_static(tmp_path, "x86_64", [tmp_path / "main.c", out / "exports.S", archive],
                      [f"-Wl,--script={out / 'exports.ld'}"])
    assert run_executable(exe, "x86_64").returncode == 0
    table = exports_table.read_exports(exe)
    assert table["PyFake_Api"] and table["malloc"] and table["pthread_getspecific"]  # forced out of the archives
    assert table["pystatic_test_not_in_static_libc"] == 0  # PROVIDEd 0: an ImportError naming it at load
    assert check_native_exports.main(["--executable", str(exe), "--report", str(out / "report.json")]) == 0


def test_a_binary_exports_the_c_library_only_when_a_module_calls_it_by_name(tmp_path):
    """--libc_symbols_if_named: musl's names are exported when the pack report's libc_by_name lists
    modules (ansible's ctypes.CDLL(find_library("c")).wcwidth), and nothing of it otherwise."""
    libc_s = tmp_path / "libc.S"
    libc_s.write_text(LIBC_S)
    out = tmp_path / "out"
    out.mkdir()
    pack_report = tmp_path / "blob.json"
    args = ["--elf_machine", MACHINES["x86_64"], "--cpu", "x86_64", "--asm", out / "exports.S",
            "--link_script", out / "exports.ld", "--report", out / "report.json", "--pack_report", pack_report,
            "--libc_symbols_if_named", libc_s]
    for libc_by_name, exported in (([], set()), (["ansible.utils.display"], {"malloc", "pthread_getspecific"})):
        pack_report.write_text(json.dumps({"shared_objects": [], "libc_by_name": libc_by_name}))
        assert native_exports.main([str(a) for a in args]) == 0
        report = json.loads((out / "report.json").read_text())
        assert report["libc_by_name"] == libc_by_name
        assert exported <= {e["name"] for e in report["exports"]}
        assert bool(report["exports"]) == bool(exported) and report["broad"] == bool(exported)
