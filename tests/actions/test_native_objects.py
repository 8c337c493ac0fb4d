"""The native object checks (actions/pystatic/binary/native_objects) on shared objects built with
zig cc: what the executable's in-memory loader can load, DT_NEEDED closures, and the names each
object needs from the executable."""

import pytest

from pystatic.binary.native_objects import elf_reading, loadability, system_names
from pystatic.binary.native_objects.analysis import analyse, executable_names
from pystatic.binary.native_objects.problems import EmbeddedObject
from zig_builds import MACHINES, cc, lld, shared_object

MODULE = """
extern void *PyLong_FromLong(long);
extern void *malloc(unsigned long);
__attribute__((weak)) extern int optional_hook(void);
void *PyInit_ok(void) { if (optional_hook) optional_hook(); return PyLong_FromLong((long)malloc(4)); }
"""


def check(objects, cpu="x86_64", provided=()):
    """(results by tree path, problem messages) of analyse over [(package, tree path, file)]."""
    embedded = [EmbeddedObject(package, tree_path, str(file)) for package, tree_path, file in objects]
    results, problems, _ = analyse(embedded, MACHINES[cpu], cpu, provided)
    return {r.obj.tree_path: r for r in results}, [p.message() for p in problems]


@pytest.mark.parametrize("cpu", ["x86_64", "aarch64"])
def test_a_plain_module_loads_and_needs_python_and_libc(tmp_path, cpu):
    so = shared_object(tmp_path, "ok.so", MODULE, cpu)
    shared = elf_reading.read_shared_object(so)
    assert shared.relocation_types and "libc.so" in shared.needed  # zig links musl's libc.so
    results, problems = check([("ok@1.0", "ok.so", so)], cpu)
    assert problems == []
    needs = results["ok.so"]
    assert {"PyLong_FromLong", "malloc"} <= set(needs.strong) and needs.weak == ["optional_hook"]
    assert needs.libraries == [("libc.so", "libc")]
    assert executable_names(results.values())["optional_hook"] is False


def test_packed_relative_relocations_are_fine(tmp_path):
    source = "static int x; int *table[] = {&x, &x, &x, &x};\nint **get(void) { return table; }\n"
    (tmp_path / "relr.c").write_text(source)
    cc(["-target", "x86_64-linux-musl", "-c", "-fPIC", "-o", tmp_path / "relr.o", tmp_path / "relr.c"], tmp_path)
    so = tmp_path / "relr.so"
    lld(["-shared", "--pack-dyn-relocs=relr", "-o", so, tmp_path / "relr.o"], tmp_path)  # zig cc does not pass -z pack-relative-relocs
    assert elf_reading.read_shared_object(so).has_relr
    assert check([("relr@1", "relr.so", so)])[1] == []


def test_wrong_machine(tmp_path):
    so = shared_object(tmp_path, "arm.so", MODULE, "aarch64")
    _, problems = check([("armpkg@2.0", "armpkg/arm.so", so)], "x86_64")
    [message] = problems
    assert message.startswith("error: armpkg 2.0: armpkg/arm.so is built for EM_AARCH64, expected EM_X86_64")
    assert 'build_from_source = ["armpkg"]' in message


def test_32_bit_object(tmp_path):
    so = tmp_path / "x86.so"
    (tmp_path / "m.c").write_text(MODULE)
    cc(["-target", "x86-linux-musl", "-shared", "-fPIC", "-o", so, tmp_path / "m.c"], tmp_path)
    assert "is ELFCLASS32 little-endian, expected a 64-bit little-endian object" in check([("p", "x86.so", so)])[1][0]


def test_not_an_elf_file(tmp_path):
    path = tmp_path / "fake.so"
    path.write_text("not ELF")
    [message] = check([("fake@1", "fake/fake.so", path)])[1]
    assert message.startswith("error: fake 1: fake/fake.so is not a readable ELF file")


@pytest.mark.parametrize("cpu, relocation", [("x86_64", "R_X86_64_TPOFF64"), ("aarch64", "R_AARCH64_TLS_TPREL64")])
def test_initial_exec_tls_is_refused(tmp_path, cpu, relocation):
    source = "__thread int counter;\nint *get(void) { return &counter; }\n"
    so = shared_object(tmp_path, "ie.so", source, cpu, ["-ftls-model=initial-exec"])
    _, problems = check([("tlspkg@3", "tlspkg/ie.so", so)], cpu)
    assert any("DF_STATIC_TLS" in p for p in problems)
    assert any(relocation in p and "initial-exec TLS" in p for p in problems)


def test_general_dynamic_tls_is_fine(tmp_path):
    source = "__thread int counter;\nint *get(void) { return &counter; }\n"
    so = shared_object(tmp_path, "gd.so", source)
    assert check([("tlspkg@3", "tlspkg/gd.so", so)])[1] == []


def test_text_relocations_are_refused(tmp_path):
    source = "    .text\n    .globl f\nf:\n    movabsq $data, %rax\n    ret\n    .data\n    .globl data\ndata:\n    .quad 1\n"
    so = shared_object(tmp_path, "textrel.so", source, flags=["-Wl,-z,notext"], suffix=".S")
    assert elf_reading.read_shared_object(so).textrel
    _, problems = check([("textpkg@1", "textrel.so", so)])
    assert any("has text relocations (DT_TEXTREL" in p for p in problems)


def test_unknown_needed_library_is_named(tmp_path):
    lib = shared_object(tmp_path, "libmystery.so.3", "int mystery(void) { return 3; }\n", flags=["-Wl,-soname,libmystery.so.3"])
    so = shared_object(tmp_path, "mod.so", "int mystery(void);\nint f(void) { return mystery(); }\n", flags=[lib])
    _, problems = check([("pkg@1", "pkg/mod.so", so)], provided=["libz.so.1"])
    [message] = problems
    assert "pkg/mod.so needs the library libmystery.so.3 (DT_NEEDED)" in message
    assert "the executable provides (libz.so.1)" in message
    # Embedded anywhere in the tree (found by its name), it is fine.
    results, problems = check([("pkg@1", "pkg/mod.so", so), ("other@2", "other.libs/libmystery.so.3", lib)])
    assert problems == [] and "mystery" not in results["pkg/mod.so"].strong
    assert ("libmystery.so.3", "other.libs/libmystery.so.3") in results["pkg/mod.so"].libraries


def test_origin_rpath_resolves_into_the_packages_libs(tmp_path):
    helper_source = "int helper_value(void) { return 7; }\n"
    helper = shared_object(tmp_path / "pkg.libs", "libhelper-abc.so.1", helper_source, flags=["-Wl,-soname,libhelper-abc.so.1"])
    decoy = shared_object(tmp_path / "decoy", "libhelper-abc.so.1", "int decoy_value(void) { return 0; }\n",
                          flags=["-Wl,-soname,libhelper-abc.so.1"])
    so = shared_object(tmp_path / "pkg", "mod.so", "int helper_value(void);\nint f(void) { return helper_value(); }\n",
                       flags=[helper, "-Wl,-rpath,$ORIGIN/../pkg.libs"])
    assert elf_reading.read_shared_object(so).search_path() == ["$ORIGIN/../pkg.libs"]
    # The decoy sorts first and has the same name and package: only the RPATH picks the right one.
    results, problems = check([("pkg@1", "pkg/mod.so", so), ("pkg@1", "pkg-decoy/libhelper-abc.so.1", decoy),
                               ("pkg@1", "pkg.libs/libhelper-abc.so.1", helper)])
    assert problems == []
    assert results["pkg/mod.so"].libraries[0] == ("libhelper-abc.so.1", "pkg.libs/libhelper-abc.so.1")
    assert "helper_value" not in results["pkg/mod.so"].strong
    assert results["pkg/mod.so"].closure == ["pkg/mod.so", "pkg.libs/libhelper-abc.so.1"]


def test_a_dependency_cycle(tmp_path):
    stub = shared_object(tmp_path / "stub", "libb.so", "int b_fn(void) { return 0; }\n", flags=["-Wl,-soname,libb.so"])
    liba = shared_object(tmp_path, "liba.so", "int b_fn(void);\nint a_fn(void) { return b_fn() + 1; }\n",
                         flags=["-Wl,-soname,liba.so", stub])
    libb = shared_object(tmp_path, "libb.so", "int a_fn(void);\nint b_fn(void) { return 2; }\nint b_other(void) { return a_fn(); }\n",
                         flags=["-Wl,-soname,libb.so", liba])
    assert elf_reading.read_shared_object(liba).needed[0] == "libb.so"
    assert elf_reading.read_shared_object(libb).needed[0] == "liba.so"
    results, problems = check([("cyc@1", "cyc.libs/liba.so", liba), ("cyc@1", "cyc.libs/libb.so", libb)])
    assert problems == []
    assert set(results["cyc.libs/liba.so"].closure) == {"cyc.libs/liba.so", "cyc.libs/libb.so"}
    assert "b_fn" not in results["cyc.libs/liba.so"].strong and "a_fn" not in results["cyc.libs/libb.so"].strong


CXX_USER = """
extern void cxx_terminate(void) __asm__("_ZSt9terminatev");
extern void *cxa_begin_catch(void *) __asm__("__cxa_begin_catch");
__attribute__((weak)) extern void unwind_resume(void *) __asm__("_Unwind_Resume");
extern int __cxa_atexit(void (*)(void *), void *, void *);
void f(void) { cxa_begin_catch(0); cxx_terminate(); if (unwind_resume) unwind_resume(0); __cxa_atexit(0, 0, 0); }
"""


def test_cxx_runtime_names_must_be_bundled(tmp_path):
    so = shared_object(tmp_path, "cxx.so", CXX_USER)
    results, problems = check([("cxxpkg@4", "cxxpkg/cxx.so", so)])
    [problem] = problems  # one per object, naming what it lacks
    assert "cxxpkg/cxx.so needs 2 names (_ZSt9terminatev, __cxa_begin_catch) of the C++ runtime" in problem
    assert "the wheel must bundle its C++ runtime" in problem
    assert results["cxxpkg/cxx.so"].strong == ["__cxa_atexit"]  # the C library's
    assert results["cxxpkg/cxx.so"].unresolved_weak == ["_Unwind_Resume"]  # weak: left NULL, not an error
    runtime = shared_object(tmp_path / "libs", "libstdc++-abc.so.6",
                            'void t(void) __asm__("_ZSt9terminatev");\nvoid t(void) {}\n'
                            'void *c(void *) __asm__("__cxa_begin_catch");\nvoid *c(void *p) { return p; }\n',
                            flags=["-Wl,-soname,libstdc++-abc.so.6"])
    bundled = shared_object(tmp_path, "cxx2.so", CXX_USER, flags=[runtime])
    results, problems = check([("cxxpkg@4", "cxxpkg/cxx2.so", bundled), ("cxxpkg@4", "cxxpkg.libs/libstdc++-abc.so.6", runtime)])
    assert problems == [] and results["cxxpkg/cxx2.so"].strong == ["__cxa_atexit"]


def test_the_systems_cxx_runtime_is_one_problem(tmp_path):
    # A musllinux wheel not repaired by auditwheel (PyMuPDF 1.28): DT_NEEDED libstdc++.so.6 and
    # libgcc_s.so.1 by their system names; the runtime names it uses follow from those.
    stubs = [shared_object(tmp_path / "system", name, "int unused;\n", flags=[f"-Wl,-soname,{name}"])
             for name in ("libstdc++.so.6", "libgcc_s.so.1")]
    source = CXX_USER + "__thread int once_call __asm__(\"_ZSt11__once_call\");\n"
    source = source.replace("__thread int", "extern __thread int") + "int g(void) { return once_call; }\n"
    so = shared_object(tmp_path, "mupdf.so", source, flags=["-Wl,--no-as-needed"] + stubs)
    [problem] = check([("pymupdf@1.28.2", "pymupdf/mupdf.so", so)])[1]
    assert "pymupdf/mupdf.so needs the system's C++ runtime (libstdc++.so.6, libgcc_s.so.1, DT_NEEDED)" in problem
    assert "so 3 names (_ZSt11__once_call, _ZSt9terminatev, __cxa_begin_catch) it uses are undefined" in problem
    assert "repaired by auditwheel" in problem
    # Another embedded copy of the runtime under its system name serves it, as any library does.
    runtime = shared_object(tmp_path / "libs", "libstdc++.so.6", 'void t(void) __asm__("_ZSt9terminatev");\nvoid t(void) {}\n'
                            'void *c(void *) __asm__("__cxa_begin_catch");\nvoid *c(void *p) { return p; }\n'
                            '__thread int o __asm__("_ZSt11__once_call");\n', flags=["-Wl,-soname,libstdc++.so.6"])
    gcc_s = shared_object(tmp_path / "libs", "libgcc_s.so.1", "int unused;\n", flags=["-Wl,-soname,libgcc_s.so.1"])
    problems = check([("pymupdf@1.28.2", "pymupdf/mupdf.so", so), ("rt@1", "rt.libs/libstdc++.so.6", runtime),
                      ("rt@1", "rt.libs/libgcc_s.so.1", gcc_s)])[1]
    assert problems == []
    assert system_names.is_cxx_runtime_library("libstdc++.so.6") and not system_names.is_cxx_runtime_library("libz.so.1")


@pytest.mark.parametrize("name, runtime", [
    ("_ZNSt6vectorIiE9push_backEv", True), ("_ZTVN10__cxxabiv117__class_type_infoE", True), ("_Znwm", True),
    ("_ZdlPv", True), ("_Unwind_Resume", True), ("__gxx_personality_v0", True), ("__cxa_throw", True),
    ("__register_frame_info", True), ("__dynamic_cast", True), ("unw_backtrace", True), ("__unw_getcontext", True), ("__cxa_atexit", False), ("__cxa_finalize", False),
    ("__cxa_thread_atexit_impl", False), ("PyErr_SetString", False), ("malloc", False), ("_exit", False),
    ("__tls_get_addr", False),
])
def test_cxx_runtime_rule(name, runtime):
    assert system_names.is_cxx_runtime_name(name) is runtime


def test_foreign_thread_local_variables_are_refused(tmp_path):
    so = shared_object(tmp_path, "tls.so", "extern __thread int foreign;\nint g(void) { return foreign; }\n")
    [message] = check([("tlspkg@1", "tls.so", so)])[1]
    assert "needs the thread-local variable foreign" in message


def test_libc_and_provided_libraries(tmp_path):
    zlib = shared_object(tmp_path / "stub", "libz.so.1", "int deflate(void *s, int f) { return 0; }\n", flags=["-Wl,-soname,libz.so.1"])
    so = shared_object(tmp_path, "img.so", "int deflate(void *, int);\nint f(void) { return deflate(0, 0); }\n",
                       flags=[zlib, "-Wl,--no-as-needed"])
    results, problems = check([("img@1", "img/img.so", so)], provided=["libz.so.1"])
    assert problems == [] and "deflate" in results["img/img.so"].strong
    assert ("libz.so.1", "provided") in results["img/img.so"].libraries
    assert "needs the library libz.so.1" in check([("img@1", "img/img.so", so)])[1][0]
    assert all(system_names.is_libc_name(n) for n in ["libc.musl-x86_64.so.1", "ld-musl-aarch64.so.1", "libm.so.6", "libc.so"])
    assert not system_names.is_libc_name("libz.so.1")


def test_the_machine_must_be_the_cpus(tmp_path):
    shared = elf_reading.SharedObject(64, True, "ET_DYN", "EM_X86_64")
    with pytest.raises(ValueError, match="not a machine of --cpu aarch64"):
        loadability.object_problems(shared, "EM_X86_64", "aarch64")


def test_a_tree_path_given_twice(tmp_path):
    with pytest.raises(ValueError, match="given twice"):
        analyse([EmbeddedObject("a", "x.so", "f"), EmbeddedObject("b", "x.so", "g")], "EM_X86_64", "x86_64")


@pytest.mark.parametrize("cpu, number, expected", [
    ("x86_64", 5, "has 2 R_X86_64_COPY relocations: a COPY relocation"),
    ("aarch64", 1024, "has 2 R_AARCH64_COPY relocations: a COPY relocation"),
    ("x86_64", 99, "has 2 relocation type 99 relocations: a relocation type the loader does not apply"),
    ("aarch64", 1030, "has 2 R_AARCH64_TLS_TPREL64 relocations: initial-exec TLS"),
])
def test_relocation_types_no_compiler_gives_a_shared_object(cpu, number, expected):
    # Linkers do not write COPY relocations into shared objects: checked on a described object.
    shared = elf_reading.SharedObject(64, True, "ET_DYN", MACHINES[cpu], has_dynamic=True, relocation_types={number: 2, 0: 1})
    [problem] = loadability.object_problems(shared, MACHINES[cpu], cpu)
    assert problem.startswith(expected)


def test_every_supported_relocation_type_passes():
    for cpu, table in loadability.SUPPORTED_RELOCATIONS.items():
        shared = elf_reading.SharedObject(64, True, "ET_DYN", MACHINES[cpu], has_dynamic=True,
                                          relocation_types=dict.fromkeys(table, 1), has_relr=True)
        assert loadability.object_problems(shared, MACHINES[cpu], cpu) == []
