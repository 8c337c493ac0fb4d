"""The static CPython for Windows: PCbuild's project files (pcbuild.py), the generated files and source
fixes (windows_sources.py) and the driver's compile units (build_cpython_windows.py)."""

import pathlib

import pytest

from pystatic.distribution import build_cpython_windows, pcbuild, windows_sources
from pystatic.distribution.configure_make import BuildError, NO_UNWIND_TABLES

PROPS = dict(build_cpython_windows.PROPERTIES)

_PROJECT = """<?xml version="1.0" encoding="utf-8"?>
<Project DefaultTargets="Build" ToolsVersion="4.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <ItemDefinitionGroup>
    <ClCompile>
      <AdditionalIncludeDirectories>$(PySourcePath)Modules\\_hacl\\include;%(AdditionalIncludeDirectories)</AdditionalIncludeDirectories>
      <AdditionalIncludeDirectories Condition="$(IncludeExternals)">$(zlibDir);%(AdditionalIncludeDirectories)</AdditionalIncludeDirectories>
      <PreprocessorDefinitions>_USRDLL;Py_BUILD_CORE;Py_ENABLE_SHARED;%(PreprocessorDefinitions)</PreprocessorDefinitions>
      <PreprocessorDefinitions Condition="'$(UseJIT)' == 'true'">_Py_JIT;%(PreprocessorDefinitions)</PreprocessorDefinitions>
      <PreprocessorDefinitions Condition="'$(Platform)' == 'x64'">CONFIG_64;MASM;%(PreprocessorDefinitions)</PreprocessorDefinitions>
      <PreprocessorDefinitions Condition="'$(Platform)'=='ARM64'">CONFIG_64;ANSI;%(PreprocessorDefinitions)</PreprocessorDefinitions>
    </ClCompile>
  </ItemDefinitionGroup>
  <ItemGroup>
    <ClCompile Include="..\\Modules\\getpath.c">
      <PreprocessorDefinitions>
        VPATH="$(PyVPath)";
        %(PreprocessorDefinitions)
      </PreprocessorDefinitions>
    </ClCompile>
    <ClCompile Include="..\\Python\\ceval.c" />
    <ClInclude Include="..\\Python\\ceval.h" />
    <ClCompile Include="..\\Modules\\_decimal\\libmpdec\\vcdiv64.c">
      <ExcludedFromBuild Condition="'$(Platform)'=='ARM64'">true</ExcludedFromBuild>
    </ClCompile>
    <ClCompile Include="..\\Modules\\x86only.c">
      <ExcludedFromBuild Condition="'$(Platform)'=='x64'">true</ExcludedFromBuild>
    </ClCompile>
  </ItemGroup>
  <ItemGroup Condition="$(IncludeExternals)">
    <ClCompile Include="..\\Modules\\zlibmodule.c" />
    <ClCompile Include="$(zlibDir)\\adler32.c" />
  </ItemGroup>
  <ItemGroup Condition="'$(UseJIT)' == 'true'">
    <ClCompile Include="..\\Python\\jit.c" />
  </ItemGroup>
  <Target Name="_SetBuildInfo">
    <ItemGroup>
      <ClCompile Condition="%(Filename) == 'getbuildinfo'">
        <PreprocessorDefinitions>GITVERSION="x";%(PreprocessorDefinitions)</PreprocessorDefinitions>
      </ClCompile>
    </ItemGroup>
  </Target>
</Project>
"""


def _tree(tmp_path, projects):
    (tmp_path / "PCbuild").mkdir()
    for name, text in projects.items():
        (tmp_path / "PCbuild" / f"{name}.vcxproj").write_text(text)
    return tmp_path


def test_a_project_is_read_with_its_conditions_for_x64_and_the_externals(tmp_path):
    project = pcbuild.read_project(_tree(tmp_path, {"core": _PROJECT}), "core", PROPS)
    paths = [s.path for s in project.sources]
    # ClInclude is not compiled; ExcludedFromBuild and false ItemGroup conditions are honoured.
    assert paths == ["Modules/getpath.c", "Python/ceval.c", "Modules/_decimal/libmpdec/vcdiv64.c",
                     "Modules/zlibmodule.c", "<zlib>/adler32.c"]
    assert project.defines == ("_USRDLL", "Py_BUILD_CORE", "Py_ENABLE_SHARED", "CONFIG_64", "MASM")
    assert project.include_dirs == ("Modules/_hacl/include", "<zlib>")
    # The property is substituted in the define; the C string keeps its escaped backslashes.
    assert project.sources[0].defines == ('VPATH="..\\\\.."',)


@pytest.mark.parametrize("condition", ["Exists('$(zlibDir)\\zlib.h')", "$(A) &gt; 2", "HasTrailingSlash($(X))"])
def test_a_condition_it_cannot_read_fails_naming_the_project(tmp_path, condition):
    text = _PROJECT.replace("<ItemGroup Condition=\"'$(UseJIT)' == 'true'\">", f"<ItemGroup Condition=\"{condition}\">")
    assert text != _PROJECT
    with pytest.raises(pcbuild.PCbuildError, match=r"PCbuild/core\.vcxproj"):
        pcbuild.read_project(_tree(tmp_path, {"core": text}), "core", PROPS)


def test_a_project_without_c_files_is_an_error(tmp_path):
    empty = '<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003"><ItemGroup/></Project>'
    with pytest.raises(pcbuild.PCbuildError, match="no ClCompile items"):
        pcbuild.read_project(_tree(tmp_path, {"x": empty}), "x", PROPS)


def test_evaluate_knows_and_or_and_comparisons():
    props = {"Platform": "x64", "UseTIER2": "0"}
    assert pcbuild.evaluate("'$(Platform)' == 'x64' and '$(UseTIER2)' != ''", props, "t")
    assert not pcbuild.evaluate("'$(UseTIER2)' != '' and '$(UseTIER2)' != '0'", props, "t")
    assert pcbuild.evaluate("'$(Platform)'=='ARM' or '$(Platform)'=='X64'", props, "t")  # case-insensitive, as MSBuild
    assert not pcbuild.evaluate("$(Missing)", props, "t")


def test_compile_units_drop_the_dll_defines_map_externals_and_compile_shared_files_once(tmp_path):
    root = _tree(tmp_path, {"core": _PROJECT})
    core = pcbuild.read_project(root, "core", PROPS)
    other = pcbuild.Project("_decimal", ("CONFIG_64", "MASM"), ("Modules/_decimal/windows", "Modules/_decimal/libmpdec"),
                            (pcbuild.Source("Python/ceval.c"), pcbuild.Source("Modules/_decimal/_decimal.c")))
    units = build_cpython_windows.compile_units(root, [core, other], {"zlib": tmp_path / "zlib"})
    paths = [u[0] for u in units]
    assert paths == ["Modules/getpath.c", "Python/ceval.c", "Modules/_decimal/libmpdec/vcdiv64.c", "Modules/zlibmodule.c",
                     "Modules/_decimal/_decimal.c"]
    getpath = units[0][2]
    assert "-DPy_NO_ENABLE_SHARED" in getpath and "-DPy_BUILD_CORE" in getpath
    assert not {"-D_USRDLL", "-DPy_ENABLE_SHARED"} & set(getpath)
    assert f"-I{tmp_path / 'zlib' / 'include'}" in getpath
    decimal = units[-1][2]
    assert "-DANSI" in decimal and "-DMASM" not in decimal and "-DPy_BUILD_CORE_BUILTIN" in decimal
    # The MSVC-only mpdecimal.h shim is not searched; libmpdec after the C library (its io.h is not <io.h>).
    assert not [a for a in decimal if a.endswith("_decimal/windows")]
    assert f"-idirafter{root / 'Modules/_decimal/libmpdec'}" in decimal
    assert decimal[-1] == f"-I{root / build_cpython_windows.SHIM_DIR}"
    assert len({u[1] for u in units}) == len(units)


def test_a_missing_library_is_named_with_the_fix(tmp_path):
    root = _tree(tmp_path, {"core": _PROJECT})
    core = pcbuild.read_project(root, "core", PROPS)
    with pytest.raises(BuildError, match="'zlib': pass --dep zlib"):
        build_cpython_windows.compile_units(root, [core], {})


def test_define_changes_fail_when_the_project_no_longer_has_the_define(tmp_path):
    project = pcbuild.Project("_decimal", ("CONFIG_64",), ("Modules/_decimal/windows",), (pcbuild.Source("Modules/_decimal/_decimal.c"),))
    with pytest.raises(BuildError, match="no longer defines MASM"):
        build_cpython_windows.compile_units(tmp_path, [project], {})
    project = pcbuild.Project("_decimal", ("MASM",), (), (pcbuild.Source("Modules/_decimal/_decimal.c"),))
    with pytest.raises(BuildError, match="no longer includes Modules/_decimal/windows"):
        build_cpython_windows.compile_units(tmp_path, [project], {})


def test_sqlite_load_extension_is_dropped_as_the_library_has_none(tmp_path):
    project = pcbuild.Project("_sqlite3", ("PY_SQLITE_HAVE_SERIALIZE", "PY_SQLITE_ENABLE_LOAD_EXTENSION"), (),
                              (pcbuild.Source("Modules/_sqlite/module.c"),))
    (unit,) = build_cpython_windows.compile_units(tmp_path, [project], {"sqlite3": tmp_path / "sqlite"})
    assert "-DPY_SQLITE_HAVE_SERIALIZE" in unit[2] and not [a for a in unit[2] if "LOAD_EXTENSION" in a]


def test_extension_projects_get_their_libraries_include_directories(tmp_path):
    project = pcbuild.Project("_ssl", (), (), (pcbuild.Source("Modules/_ssl.c"),))
    (unit,) = build_cpython_windows.compile_units(tmp_path, [project], {"openssl": tmp_path / "ssl"})
    assert f"-I{tmp_path / 'ssl' / 'include'}" in unit[2]


def test_windows_flags_keep_unwind_tables():
    assert not set(NO_UNWIND_TABLES) & set(build_cpython_windows.CFLAGS)


def test_source_fixes_apply_once_and_fail_loudly_when_stale(tmp_path):
    fixes = [("a.c", "#define A A\n", "#ifdef X\n#define A A\n#endif\n", "case")]
    (tmp_path / "a.c").write_text("x\n#define A A\ny\n")
    windows_sources.apply_fixes(tmp_path, fixes)
    assert (tmp_path / "a.c").read_text() == "x\n#ifdef X\n#define A A\n#endif\ny\n"
    (tmp_path / "a.c").write_text("x\n#define A 1\n")
    with pytest.raises(windows_sources.SourceFixError, match=r"a\.c: the fix \(case\) expects .* found it 0 times"):
        windows_sources.apply_fixes(tmp_path, fixes)
    (tmp_path / "a.c").write_text("#define A A\n#define A A\n")
    with pytest.raises(windows_sources.SourceFixError, match="found it 2 times"):
        windows_sources.apply_fixes(tmp_path, fixes)


def test_the_fixes_apply_to_their_blocks(tmp_path):
    """Each SOURCE_FIXES entry on a copy of the text it was written against: the IPPROTO_* block is MSVC's
    only, sys gets winver and dllhandle without python3XY.dll, _ssl's certificate stores any Windows compiler's."""
    (tmp_path / "Modules").mkdir()
    (tmp_path / "Python").mkdir()
    block = "#define IPPROTO_ICMP IPPROTO_ICMP\n#define IPPROTO_TCP IPPROTO_TCP\n#define IPPROTO_SCTP IPPROTO_SCTP  // WinSock2 only\n"
    (tmp_path / "Modules" / "socketmodule.c").write_text(block)
    sys_text = '#ifdef MS_COREDLL\n    SET_SYS_FROM_STRING("winver", PyWin_DLLVersionString);\n#endif\n'
    (tmp_path / "Python" / "sysmodule.c").write_text(sys_text)
    (tmp_path / "Modules" / "clinic").mkdir()
    (tmp_path / "Modules" / "_ssl.c").write_text("#ifdef _MSC_VER\n\nstatic PyObject*\ncertEncodingType(DWORD t)\n#endif /* _MSC_VER */\n")
    (tmp_path / "Modules" / "clinic" / "_ssl.c.h").write_text("".join(
        f"#if defined(_MSC_VER)\n\nPyDoc_STRVAR(_ssl_enum_{n}__doc__,\n#endif\n" for n in ("certificates", "crls")))
    windows_sources.apply_fixes(tmp_path)
    assert (tmp_path / "Modules" / "_ssl.c").read_text().startswith("#ifdef MS_WINDOWS\n")
    assert (tmp_path / "Modules" / "clinic" / "_ssl.c.h").read_text().count("#if defined(MS_WINDOWS)\n") == 2
    text = (tmp_path / "Modules" / "socketmodule.c").read_text()
    assert text == ("#ifndef __MINGW32__\n#define IPPROTO_ICMP IPPROTO_ICMP\n#define IPPROTO_TCP IPPROTO_TCP\n"
                    "#define IPPROTO_SCTP IPPROTO_SCTP  // WinSock2 only\n#endif\n")
    text = (tmp_path / "Python" / "sysmodule.c").read_text()
    assert text.startswith(sys_text.removesuffix("#endif\n") + "#elif defined(MS_WINDOWS)\n")
    assert 'SET_SYS("dllhandle", PyLong_FromVoidPtr(GetModuleHandleW(NULL)));' in text and text.endswith("#endif\n")


def test_header_shims_name_mingw_headers_by_msvc_spelling(tmp_path):
    windows_sources.write_header_shims(tmp_path / "shims")
    assert (tmp_path / "shims" / "Rpc.h").read_text().endswith("#include <rpc.h>\n")
    assert all(real == real.lower() and name != real for name, real in windows_sources.HEADER_CASE.items())


def test_config_c_adds_the_extensions_after_the_marker():
    template = ('#include "Python.h"\n\nextern PyObject* PyInit_nt(void);\nstruct _inittab _PyImport_Inittab[] = {\n    {"nt", PyInit_nt},\n'
                '/* tools/freeze/makeconfig.py marker for additional "_inittab" entries */\n    {0, 0}\n};\n')
    text = windows_sources.config_c(template, ["_socket", "select"])
    assert 'extern PyObject* PyInit__socket(void);\nextern PyObject* PyInit_select(void);\n' in text
    assert text.index('{"_socket", PyInit__socket},') > text.index("marker for additional")
    assert text.index('{"select", PyInit_select},') < text.index("{0, 0}")
    with pytest.raises(windows_sources.SourceFixError, match=r"already has the built-in modules \['nt'\]"):
        windows_sources.config_c(template, ["nt"])
    with pytest.raises(windows_sources.SourceFixError, match="cannot be extended"):
        windows_sources.config_c(template.replace("marker", "mark"), ["x"])


def test_pyconfig_h_is_static_and_refuses_an_unknown_template():
    text = windows_sources.pyconfig_h("#define MS_WINDOWS\n/* #define Py_GIL_DISABLED 1 */\n")
    assert text.index("#define Py_NO_ENABLE_SHARED") < text.index("#define MS_WINDOWS")
    with pytest.raises(windows_sources.SourceFixError, match="PC/pyconfig.h.in"):
        windows_sources.pyconfig_h("#define MS_WIN32\n")


def test_frozen_modules_come_from_frozen_c_and_map_to_their_sources(tmp_path):
    (tmp_path / "Python").mkdir()
    (tmp_path / "Python" / "frozen.c").write_text('#include "frozen_modules/importlib._bootstrap.h"\n'
                                                   '#include "frozen_modules/__phello__.h"\n#include "frozen_modules/frozen_only.h"\n')
    for rel in ["Lib/importlib/_bootstrap.py", "Lib/__phello__/__init__.py"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    names = build_cpython_windows.frozen_modules(tmp_path)
    assert names == ["importlib._bootstrap", "__phello__", "frozen_only", "getpath"]
    sources = [build_cpython_windows.frozen_module_source(tmp_path, n).relative_to(tmp_path).as_posix() for n in names]
    assert sources == ["Lib/importlib/_bootstrap.py", "Lib/__phello__/__init__.py", "Tools/freeze/flag.py", "Modules/getpath.py"]
    with pytest.raises(BuildError, match="frozen module nope"):
        build_cpython_windows.frozen_module_source(tmp_path, "nope")


def test_freezing_needs_a_build_python_of_the_sources_x_y(tmp_path):
    fake = tmp_path / "python3.13"
    fake.write_text("#!/bin/sh\necho 3.12\n")
    fake.chmod(0o755)
    with pytest.raises(BuildError, match=r"python3\.13 is Python 3\.12, the source 3\.13\.15: .*same X\.Y"):
        build_cpython_windows.freeze(tmp_path, str(fake), "3.13.15", None, {"PATH": "/usr/bin:/bin"})


def test_paths_are_made_absolute_as_steps_run_in_the_scratch_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = build_cpython_windows.parse_args(["--source", "s.tar.xz", "--version", "3.13.15", "--build-python", "py",
                                             "--cc", "cc", "--ar", "ar", "--dep", "zlib", "z", "z.json",
                                             "--output", "bazel-out/dist", "--exe", "bazel-out/python.exe", "--log", "l",
                                             "--target", "x86_64-windows-gnu", "--descriptor", "bazel-out/d.json"])
    assert (args.output, args.exe, args.cc) == (str(tmp_path / "bazel-out/dist"), str(tmp_path / "bazel-out/python.exe"), str(tmp_path / "cc"))
    assert args.descriptor == str(tmp_path / "bazel-out/d.json")
    # The prefix is resolved by the build; the origin (read for the licence list) is made absolute here.
    assert args.dep == [("zlib", "z", str(tmp_path / "z.json"))]
