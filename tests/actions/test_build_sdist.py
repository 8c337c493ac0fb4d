"""build_sdist.py: a PEP 517 backend's compiles and links are captured into built-ins."""

import io
import json
import pathlib
import shutil
import subprocess
import tarfile
import zipfile

import pytest

from pystatic.modules.names import module_of
from pystatic.packages import build_sdist
from pystatic.packages.sdist import builtin_archive, cmake, compiler_wrapper, meson, pep517, setuptools_config
from pystatic.packages.sdist.pep517 import Target
from pystatic.packages.sdist.errors import BuildError

X86_64 = Target("x86_64-linux-musl", "x86_64")

# An in-tree PEP 517 backend that builds like setuptools does: CC -c, then LDSHARED -o <ext>.so.
BACKEND = '''
import os, shlex, subprocess, sysconfig, zipfile

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if os.environ.get("FAIL"):
        print("compiler exploded: " + os.environ["FAIL"])
        raise SystemExit(1)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    os.makedirs("build", exist_ok=True)
    cc = shlex.split(sysconfig.get_config_var("CC"))
    subprocess.check_call(cc + ["-c", "ext.c", "-o", "build/ext.o"])
    subprocess.check_call(cc + ["-c", "helper.c", "-o", "build/helper.o"])
    ld = shlex.split(os.environ["LDSHARED"])
    if os.environ.get("CLIB"):  # like build_clib: the helper in a static library of the build tree
        subprocess.check_call([sysconfig.get_config_var("AR"), "rcs", "build/libhelper.a", "build/helper.o"])
        subprocess.check_call(ld + ["build/ext.o", "-Lbuild", "-lhelper", "-lm", "-o", "build/_ext" + suffix])
    else:
        subprocess.check_call(ld + ["build/ext.o", "build/helper.o", "-o", "build/_ext" + suffix])
    name = "pkg-1.0-cp313-cp313-linux_x86_64.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as zf:
        zf.writestr("pkg/__init__.py", "from pkg import _ext\\n")
        zf.write("build/_ext" + suffix, "pkg/_ext" + suffix)
        zf.writestr("pkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: pkg\\nVersion: 1.0\\n")
        zf.writestr("pkg-1.0.dist-info/RECORD", "")
    if os.environ.get("DELETE"):  # like aio-libs' backends: the build tree was a temporary copy
        import shutil
        shutil.rmtree("build")
        os.remove("ext.c")
    return name
'''

EXT_C = "int helper(void);\nvoid *PyInit__ext(void) { return (void *)(long)helper(); }\n"
HELPER_C = "int helper(void) { return 0; }\n"


def make_sdist(tmp_path, pyproject, files=None):
    path = tmp_path / "pkg-1.0.tar.gz"
    members = {
        "pyproject.toml": pyproject,
        "backend.py": BACKEND,
        "ext.c": EXT_C,
        "helper.c": HELPER_C,
        "PKG-INFO": "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n",
    }
    members.update(files or {})
    with tarfile.open(path, "w:gz") as tf:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo("pkg-1.0/" + name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def make_dist(tmp_path):
    dist = tmp_path / "dist"
    (dist / "include").mkdir(parents=True)
    (dist / "include" / "Python.h").write_text("/* headers */\n")
    lib = dist / "lib" / "python3.13"
    lib.mkdir(parents=True)
    (lib / "_sysconfigdata__linux_x86_64-linux-musl.py").write_text(
        "build_time_vars = {'EXT_SUFFIX': '.cpython-313-x86_64-linux-musl.so', 'CC': 'gcc -pthread', "
        "'INCLUDEPY': '/pystatic/include/python3.13', 'SIZEOF_VOID_P': 8}\n"
    )
    return dist


def make_wheel(tmp_path, name, files):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        for rel, text in files.items():
            zf.writestr(rel, text)
    return path


def args_for(tmp_path, sdist, build_wheels=(), fallback=None, env=(), target_os="linux"):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    dist = make_dist(tmp_path)
    if target_os == "windows":
        # Windows' distribution has headers but no build variables: the backend sees the build machine's.
        target_dist = tmp_path / "windows_dist"
        shutil.copytree(dist / "include", target_dist / "include")
    argv = [
        "--target", "//t:pkg_x86_64", "--package", "pkg", "--version", "1.0", "--sdist", str(sdist),
        "--target_dist", str(target_dist if target_os == "windows" else dist), "--sysconfig_dist", str(dist),
        "--target_os", target_os, "--triple", "x86_64-linux-musl", "--meson_cpu_family", "x86_64",
        "--cc", shutil.which("cc"), "--ar", shutil.which("ar"),
        "--site", str(out / "site"), "--archive", str(out / "lib.a"), "--builtins", str(out / "builtins.json"),
        "--log", str(out / "sdist.log"),
    ]
    for wheel in build_wheels:
        argv += ["--build_wheel", str(wheel)]
    if fallback:
        argv += ["--fallback_wheel", str(fallback)]
    for setting in env:
        argv += ["--env", setting]
    return argv, out


PYPROJECT = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'

needs_cc = pytest.mark.skipif(not (shutil.which("cc") and shutil.which("ar")), reason="needs cc and ar")


@needs_cc
@pytest.mark.parametrize("env", [[], ["CLIB=1"], ["DELETE=1"], ["CLIB=1", "DELETE=1"]],
                         ids=["objects", "static_library", "tree_deleted", "static_library_tree_deleted"])
def test_extension_becomes_a_renamed_builtin_in_one_archive(tmp_path, env):
    argv, out = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT), env=env)
    assert build_sdist.main(argv) == 0, (out / "sdist.log").read_text()
    assert json.loads((out / "builtins.json").read_text()) == [["pkg._ext", "PyInit_pystatic_pkg___ext"]]
    assert (out / "site" / "pkg" / "__init__.py").exists()
    assert (out / "site" / "pkg-1.0.dist-info" / "METADATA").exists()
    assert not list((out / "site").rglob("*.so")) and not (out / "site" / "pkg-1.0.dist-info" / "RECORD").exists()
    symbols = subprocess.run(["nm", str(out / "lib.a")], capture_output=True, text=True).stdout
    assert "T PyInit_pystatic_pkg___ext" in symbols and "T helper" in symbols
    assert "PyInit__ext" not in symbols.replace("PyInit_pystatic", "")


@needs_cc
def test_failing_backend_names_package_backend_log_and_options(tmp_path, capsys):
    argv, out = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT), env=["FAIL=out of cheese"])
    assert build_sdist.main(argv) == 1
    err = capsys.readouterr().err
    assert "//t:pkg_x86_64: pkg 1.0: its PEP 517 backend backend failed" in err
    assert "| compiler exploded: out of cheese" in err
    assert "Fix: lock a version with a pure-Python (py3-none-any) wheel" in err and "py_static_extension" in err
    assert "sys.platform" not in err and "download" not in err


def test_a_backend_that_tried_to_download_is_told_there_is_no_network(tmp_path, capsys):
    """matplotlib's meson fetches freetype for a subproject: the failure says why and what to do."""
    log = ("Downloading freetype2 source from https://example.invalid/freetype-2.14.3.tar.xz\n"
           "WARNING: failed to download with error: could not get https://example.invalid/freetype-2.14.3.tar.xz; "
           "is the internet available?")
    argv, out = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT), env=["FAIL=" + log.replace("\n", " ")])
    assert build_sdist.main(argv) == 1
    err = capsys.readouterr().err
    assert ("The backend tried to download https://example.invalid/freetype-2.14.3.tar.xz: build actions have no "
            "network") in err, err
    assert "Native libraries" in err
    assert pep517.download_attempts("compiled fine") == (False, [])


@needs_cc
def test_a_windows_target_gets_the_build_machines_sysconfig_and_its_failure_says_so(tmp_path, capsys):
    # The target distribution has no _sysconfigdata (Windows'): --sysconfig_dist's serves, and the
    # extension still becomes a built-in of the target's compiler.
    argv, out = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT), target_os="windows")
    assert build_sdist.main(argv) == 0, (out / "sdist.log").read_text()
    assert json.loads((out / "builtins.json").read_text()) == [["pkg._ext", "PyInit_pystatic_pkg___ext"]]
    failing = tmp_path / "failing"
    failing.mkdir()
    argv, _ = args_for(failing, make_sdist(failing, PYPROJECT), env=["FAIL=out of cheese"], target_os="windows")
    assert build_sdist.main(argv) == 1
    assert "a setup.py that picks its C sources or libraries by sys.platform picks Linux's" in capsys.readouterr().err


@needs_cc
def test_pure_wheel_of_the_same_version_replaces_a_failed_build(tmp_path, capsys):
    pure = make_wheel(tmp_path, "pkg-1.0-py3-none-any.whl", {
        "pkg/__init__.py": "PURE = True\n", "pkg-1.0.dist-info/METADATA": "Name: pkg\n",
    })
    argv, out = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT), fallback=pure, env=["FAIL=boom"])
    assert build_sdist.main(argv) == 0
    assert "pure-Python wheel pkg-1.0-py3-none-any.whl is used instead" in capsys.readouterr().err
    assert (out / "site" / "pkg" / "__init__.py").read_text() == "PURE = True\n"
    assert json.loads((out / "builtins.json").read_text()) == []
    assert (out / "lib.a").read_bytes() == b"!<arch>\n"


@pytest.mark.parametrize(
    "pyproject, message",
    [
        ('[build-system]\nrequires = ["maturin>=1"]\nbuild-backend = "maturin"\n', "written in Rust"),
        ('[build-system]\nrequires = ["setuptools", "setuptools-rust"]\n', "setuptools-rust"),
        ('[build-system]\nrequires = ["meson-python"]\nbuild-backend = "mesonpy"\n', "requires meson-python, which the build environment"),
        # scikit-learn's and duckdb's sdists build against numpy: no compiled package is in the build
        # environment, so the fix is a wheel of the package itself.
        ('[build-system]\nrequires = ["setuptools", "numpy"]\n', "cannot be in the build environment: then lock a version of pkg"),
    ],
)
def test_unsupported_backends_fail_clearly(tmp_path, capsys, pyproject, message):
    setuptools = make_wheel(tmp_path, "setuptools-80.0-py3-none-any.whl", {"setuptools/__init__.py": ""})
    argv, _ = args_for(tmp_path, make_sdist(tmp_path, pyproject), build_wheels=[setuptools])
    assert build_sdist.main(argv) == 1
    err = capsys.readouterr().err
    assert message in err, err


def test_requirements_whose_markers_do_not_hold_are_not_needed(tmp_path):
    import packaging

    env = tmp_path / "env"
    shutil.copytree(pathlib.Path(packaging.__file__).parent, env / "packaging")
    requires = ["setuptools >= 47", "tomli; python_version < '3.0'"]
    assert pep517.applicable(requires, env) == ["setuptools >= 47"]


def test_the_build_requirements_pkg_config_files_are_found(tmp_path):
    """meson's dependency('pybind11') of a cross build asks pkg-config only: pybind11's wheel carries
    its .pc inside the package (matplotlib's sdist for aarch64 failed without it)."""
    env = tmp_path / "buildenv"
    for pc in ("pybind11/share/pkgconfig/pybind11.pc", "numpy/_core/lib/pkgconfig/numpy.pc",
               "tool-1.data/data/share/pkgconfig/tool.pc"):
        (env / pc).parent.mkdir(parents=True)
        (env / pc).write_text("prefix=${pcfiledir}/../..\nName: x\nVersion: 1\nDescription: x\nCflags: -I${prefix}/include\n")
    assert pep517.build_env_pkgconfig_dirs(env) == [
        str(env / "numpy/_core/lib/pkgconfig"), str(env / "pybind11/share/pkgconfig"), str(env / "tool-1.data/data/share/pkgconfig")]
    assert pep517.build_env_pkgconfig_dirs(tmp_path / "empty") == []


def test_names_and_sysconfig_overrides(tmp_path):
    assert module_of("a/b/_c.cpython-313-aarch64-linux-musl.so") == "a.b._c"
    assert builtin_archive.init_function("a.b._c") == "PyInit_pystatic_a__b___c"
    assert pep517.requirement_name("Setuptools_SCM[toml] >= 8 ; python_version > '3'") == "setuptools-scm"
    dist = make_dist(tmp_path)
    source = setuptools_config.sysconfig_module(
        next((dist / "lib").glob("python3.13/_sysconfigdata_*.py")),
        setuptools_config.compiler_overrides({"cc": "/w/cc", "cxx": "/w/cxx", "ldshared": "/w/ld", "ar": "/w/ar"}, "/d/include",
                                       ["-O2"]),
    )
    namespace = {}
    exec(source, namespace)
    variables = namespace["build_time_vars"]
    assert variables["CXX"] == "/w/cxx" and variables["CC"] == "/w/cc" and variables["LDSHARED"] == "/w/ld" and variables["INCLUDEPY"] == "/d/include"
    assert variables["EXT_SUFFIX"] == ".cpython-313-x86_64-linux-musl.so" and variables["SIZEOF_VOID_P"] == 8


def test_cxx_is_recognised_by_source_suffix_and_language_flag():
    assert compiler_wrapper.is_cxx(["-c", "src/_frozenlist.cpp", "-o", "x.o"])
    assert compiler_wrapper.is_cxx(["-x", "c++", "-c", "a.c"]) and compiler_wrapper.is_cxx(["-xc++", "a.c"])
    assert not compiler_wrapper.is_cxx(["-c", "a.c", "-o", "a.o"]) and not compiler_wrapper.is_cxx(["-x", "c", "b.cpp"])


# A stand-in for zig cc: it compiles with the host's cc, records whether it was given -lc++, and on a
# `-v` link prints a linker line naming the C++ runtime archives (as zig's ld.lld line does).
FAKE_ZIG_CC = """#!/bin/sh
for a; do [ "$a" = -lc++ ] && echo "$*" >> {calls}; done
case " $* " in
  *" -v "*) echo "ld.lld -static -o probe {rt}/libc++abi.a {rt}/libc++.a {rt}/libunwind.a {rt}/libc.a" >&2; exit 0;;
esac
args=""
for a; do [ "$a" = -lc++ ] || args="$args $a"; done
exec cc -x none $args
"""


@needs_cc
def test_cxx_sources_get_libcxx_and_the_archive_the_cxx_runtime(tmp_path):
    runtime = tmp_path / "zig-cache"
    runtime.mkdir()
    for name, symbol in (("libc++abi.a", "cxa_throw_stub"), ("libc++.a", "libcxx_stub"), ("libunwind.a", "unwind_stub")):
        src = tmp_path / f"{symbol}.c"
        src.write_text(f"int {symbol}(void) {{ return 1; }}\n")
        subprocess.run(["cc", "-c", str(src), "-o", str(tmp_path / f"{symbol}.o")], check=True)
        subprocess.run(["ar", "rcs", str(runtime / name), str(tmp_path / f"{symbol}.o")], check=True)
    calls = tmp_path / "calls"
    fake = tmp_path / "zigcc"
    fake.write_text(FAKE_ZIG_CC.format(calls=calls, rt=runtime))
    fake.chmod(0o755)
    backend = BACKEND.replace('"helper.c"', '"helper.cpp"').replace(
        'ld = shlex.split(os.environ["LDSHARED"])', 'ld = shlex.split(os.environ["CXX"])')  # as distutils links C++
    sdist = make_sdist(tmp_path, PYPROJECT, {"backend.py": backend, "helper.cpp": 'extern "C" int helper(void) { return 0; }\n'})
    argv, out = args_for(tmp_path, sdist)
    argv[argv.index("--cc") + 1] = str(fake)
    assert build_sdist.main(argv) == 0, (out / "sdist.log").read_text()
    recorded = calls.read_text().splitlines()
    assert any("helper.cpp" in line for line in recorded) and not any("ext.c " in line for line in recorded), recorded
    symbols = subprocess.run(["nm", str(out / "lib.a")], capture_output=True, text=True).stdout
    assert all(f"T {s}" in symbols for s in ("cxa_throw_stub", "libcxx_stub", "unwind_stub", "helper")), symbols
    assert "C++ runtime" in (out / "sdist.log").read_text()


@needs_cc
def test_c_only_extension_gets_no_cxx_runtime(tmp_path):
    argv, out = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT))
    assert build_sdist.main(argv) == 0, (out / "sdist.log").read_text()
    assert "C++ runtime" not in (out / "sdist.log").read_text()


@needs_cc
def test_native_library_headers_and_archive_reach_the_extension(tmp_path):
    prefix = tmp_path / "libyaml_prefix"
    (prefix / "include").mkdir(parents=True)
    (prefix / "lib").mkdir()
    (prefix / "include" / "nat.h").write_text("int nat_answer(void);\n")
    (prefix / "LICENSE.libnat").write_text("libnat: MIT\n")
    (tmp_path / "nat.c").write_text("int nat_answer(void) { return 42; }\n")
    subprocess.run(["cc", "-c", str(tmp_path / "nat.c"), "-o", str(tmp_path / "nat.o")], check=True)
    subprocess.run(["ar", "rcs", str(prefix / "lib" / "libnat.a"), str(tmp_path / "nat.o")], check=True)
    # Like PyYAML: includes the library's header and links it by `-l` name, its -L from LDFLAGS.
    backend = BACKEND.replace(
        'subprocess.check_call(ld + ["build/ext.o", "build/helper.o", "-o", "build/_ext" + suffix])',
        'subprocess.check_call(ld + ["build/ext.o", "build/helper.o"] + shlex.split(os.environ["LDFLAGS"]) + '
        '["-lnat", "-o", "build/_ext" + suffix])',
    )
    ext = '#include <nat.h>\nint helper(void);\nvoid *PyInit__ext(void) { return (void *)(long)(helper() + nat_answer()); }\n'
    argv, out = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT, {"backend.py": backend, "ext.c": ext}))
    argv += ["--native_library", f"libnat={prefix}"]
    assert build_sdist.main(argv) == 0, (out / "sdist.log").read_text()
    symbols = subprocess.run(["nm", str(out / "lib.a")], capture_output=True, text=True).stdout
    assert "T nat_answer" in symbols and "T PyInit_pystatic_pkg___ext" in symbols
    assert f"native library libnat: {prefix}" in (out / "sdist.log").read_text()
    # The library's licence travels with the package (the binary's licence report reads dist-info).
    assert (out / "site" / "pkg-1.0.dist-info" / "licenses" / "LICENSE.libnat").read_text() == "libnat: MIT\n"


def test_native_library_must_be_a_prefix(tmp_path, capsys):
    argv, _ = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT))
    assert build_sdist.main(argv + ["--native_library", f"libnat={tmp_path / 'nowhere'}"]) == 1
    assert "native library libnat" in capsys.readouterr().err


def test_init_functions_are_found_in_elf_and_in_coff_short_names(tmp_path):
    elf = tmp_path / "ext.o"
    elf.write_bytes(b"\x7fELF...\0PyInit__speedups\0other\0")
    assert compiler_wrapper.defines_symbol(elf, "PyInit__speedups")
    assert not compiler_wrapper.defines_symbol(elf, "PyInit__speed")
    # COFF: a name of 8 bytes sits NUL-less in its 18-byte symbol record.
    coff = tmp_path / "a.obj"
    coff.write_bytes(b"\x64\x86" + b"PyInit_a" + b"\x00\x00\x00\x00\x01\x00\x20\x00\x02\x00")
    assert compiler_wrapper.defines_symbol(coff, "PyInit_a")


def test_a_shared_link_through_the_compiler_is_captured_like_ldshared():
    # distutils puts CXX in LDSHARED's place for C++ extensions.
    assert compiler_wrapper.links_shared(["a.o", "b.o", "-o", "build/_x.cpython-313-x86_64-linux-musl.so"])
    assert compiler_wrapper.links_shared(["-shared", "a.o", "-o", "x"])
    assert not compiler_wrapper.links_shared(["-c", "a.c", "-o", "a.so"]) and not compiler_wrapper.links_shared(["a.o", "-o", "prog"])


def test_meson_cross_file_names_the_wrappers_the_target_and_runs_nothing():
    wrappers = {"cc": "/w/cc", "cxx": "/w/cxx", "ar": "/z/ar it's"}
    text = meson.meson_cross_file(Target("aarch64-linux-musl", "aarch64"), wrappers, "/d/bin/python3.13")
    sections = {}
    for line in text.splitlines():
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        elif " = " in line:
            key, _, value = line.partition(" = ")
            current[key] = value
    assert sections["binaries"]["c"] == "['/w/cc']" and sections["binaries"]["cpp"] == "['/w/cxx']"
    assert sections["binaries"]["ar"] == "['/z/ar it\\'s']"  # quoted as meson's strings are
    assert sections["binaries"]["python"] == "['/d/bin/python3.13']"
    # meson looks Cython up for the build machine: the native file names it.
    assert "cython" not in sections["binaries"]
    assert meson.meson_native_file("/d/bin/python3.13", "/env/cython.py") == (
        "[binaries]\ncython = ['/d/bin/python3.13', '/env/cython.py']\n")
    # meson's build-machine C compiler is the hermetic toolchain's, not the machine's cc.
    assert meson.meson_native_file("/d/bin/python3.13", None, "/x/cc-x86_64-linux-musl") == (
        "[binaries]\nc = ['/x/cc-x86_64-linux-musl']\n")
    assert sections["properties"] == {"needs_exe_wrapper": "true"}
    assert sections["host_machine"]["cpu_family"] == "'aarch64'" and sections["host_machine"]["system"] == "'linux'"
    # The rule passes the row's meson_cpu_family; a target without one is an error, not a guess.
    with pytest.raises(BuildError, match="unknown target CPU riscv64"):
        meson.meson_cross_file(Target("riscv64-linux-musl", ""), wrappers, "/p")


def test_meson_setup_gives_meson_python_meson_ninja_and_the_cross_file(tmp_path):
    env_dir = tmp_path / "buildenv"
    scripts = env_dir / "ninja-1.13.2.data" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "ninja").write_text("#!/bin/sh\necho 1.13.2\n")
    (scripts / "ninja").chmod(0o644)  # zipfile.extractall drops the mode
    (tmp_path / "tools").mkdir()
    env = {}
    wrappers = {"cc": "/w/cc", "cxx": "/w/cxx", "ar": "/z/ar"}
    settings = meson.meson_setup(tmp_path, env_dir, wrappers, X86_64, env)
    assert env["NINJA"] == str(scripts / "ninja") and (scripts / "ninja").stat().st_mode & 0o111
    assert env["MESON"].endswith(".py") and "mesonbuild.mesonmain" in pathlib.Path(env["MESON"]).read_text()
    cross = settings["setup-args"][0].partition("=")[2]
    assert settings["setup-args"] == [f"--cross-file={cross}"] and "c = ['/w/cc']" in pathlib.Path(cross).read_text()
    (env_dir / "cython.py").write_text("")
    settings = meson.meson_setup(tmp_path, env_dir, wrappers, X86_64, env)
    native = settings["setup-args"][1].partition("=")[2]
    assert settings["setup-args"][1] == f"--native-file={native}" and "cython.py']" in pathlib.Path(native).read_text()
    assert build_sdist.BACKEND_SETUP["mesonpy"] is meson.meson_setup
    shutil.rmtree(scripts)
    with pytest.raises(BuildError, match="no ninja wheel"):
        meson.meson_setup(tmp_path, env_dir, wrappers, X86_64, {})


def test_compiles_lose_link_time_optimisation_flags():
    """CMake's INTERPROCEDURAL_OPTIMIZATION (Levenshtein sets it) adds -flto=thin: bitcode objects would
    not be machine code for the binary's link, so the compiler wrapper drops the flags."""
    args = ["-O3", "-flto=thin", "-fPIC", "-flto", "-ffat-lto-objects", "-c", "a.cpp", "-o", "a.o"]
    assert compiler_wrapper.without_lto(args) == ["-O3", "-fPIC", "-c", "a.cpp", "-o", "a.o"]
    assert compiler_wrapper.without_lto(["-fno-lto-whatever-else", "-c"]) == ["-fno-lto-whatever-else", "-c"]


def test_cmake_toolchain_file_names_the_wrappers_the_target_and_target_only_lookups():
    wrappers = {"cc": "/w/cc", "cxx": "/w/cxx", "ar": "/z/ar", "ranlib": "/w/ranlib"}
    text = cmake.cmake_toolchain_file("aarch64-linux-musl", wrappers, ["/dist/aarch64", "/native/libyaml"])
    settings = {}
    for line in text.splitlines():
        if line.startswith("set("):
            name, _, value = line[4:-1].partition(" ")
            settings[name] = value
    # CMAKE_SYSTEM_NAME makes it a cross build: CMake runs no test program (also for x86_64 musl).
    assert settings["CMAKE_SYSTEM_NAME"] == "Linux" and settings["CMAKE_SYSTEM_PROCESSOR"] == "aarch64"
    assert settings["CMAKE_C_COMPILER"] == '"/w/cc"' and settings["CMAKE_CXX_COMPILER"] == '"/w/cxx"'
    assert settings["CMAKE_AR"].startswith('"/z/ar" CACHE FILEPATH')
    assert settings["CMAKE_RANLIB"].startswith('"/w/ranlib" CACHE FILEPATH')
    assert settings["CMAKE_FIND_ROOT_PATH"] == '"/dist/aarch64" "/native/libyaml"'
    assert settings["CMAKE_FIND_ROOT_PATH_MODE_PACKAGE"] == "ONLY" and settings["CMAKE_FIND_ROOT_PATH_MODE_PROGRAM"] == "NEVER"


def test_skbuild_setup_gives_cmake_ninja_the_toolchain_and_the_targets_headers(tmp_path):
    env_dir = tmp_path / "buildenv"
    cmake_bin = env_dir / "cmake" / "data" / "bin"
    ninja_dir = env_dir / "ninja-1.13.2.data" / "scripts"
    for directory, names in ((cmake_bin, ("cmake", "ctest")), (ninja_dir, ("ninja",))):
        directory.mkdir(parents=True)
        for name in names:
            (directory / name).write_text("#!/bin/sh\n")
            (directory / name).chmod(0o644)  # zipfile.extractall drops the mode
    (tmp_path / "tools").mkdir()
    env = {"PATH": "/usr/bin"}
    wrappers = {"cc": "/w/cc", "cxx": "/w/cxx", "ar": "/z/ar", "ranlib": "/w/ranlib"}
    settings = build_sdist.BACKEND_SETUP["scikit_build_core.build"](
        tmp_path, env_dir, wrappers, X86_64, env, "/dist/include", ["/dist"])
    # scikit-build-core finds cmake through its wheel's module (CMAKE_BIN_DIR), ninja on PATH.
    assert all((cmake_bin / n).stat().st_mode & 0o111 for n in ("cmake", "ctest"))
    assert (ninja_dir / "ninja").stat().st_mode & 0o111
    first = env["PATH"].split(":")[0]
    assert (pathlib.Path(first) / "ninja").resolve() == (ninja_dir / "ninja").resolve() and env["PATH"].endswith(":/usr/bin")
    toolchain = pathlib.Path(settings["cmake.define.CMAKE_TOOLCHAIN_FILE"])
    assert 'set(CMAKE_C_COMPILER "/w/cc")' in toolchain.read_text()
    assert settings["cmake.define.CMAKE_MAKE_PROGRAM"] == str(ninja_dir / "ninja")
    # `cmake --install --strip` would change the captured module (an archive), which then matches no link.
    assert settings["install.strip"] == "false"
    # The build interpreter's include directory is the build machine's; the target's headers win.
    assert settings["cmake.define.Python_INCLUDE_DIR"] == settings["cmake.define.Python3_INCLUDE_DIR"] == "/dist/include"
    shutil.rmtree(env_dir / "cmake")
    with pytest.raises(BuildError, match="no cmake wheel with its program cmake"):
        cmake.skbuild_setup(tmp_path, env_dir, wrappers, X86_64, {"PATH": ""}, "/i", [])


def test_a_cxx_link_of_objects_takes_the_prebuilt_runtime_and_a_compile_keeps_lcxx(tmp_path, monkeypatch):
    """CMake's compiler check links C++ objects through CXX: with the prebuilt runtime zig builds no libc++."""
    assert compiler_wrapper.links_objects_only(["a.o", "b.o", "-o", "prog"])
    assert not compiler_wrapper.links_objects_only(["-c", "a.cpp", "-o", "a.o"])
    assert not compiler_wrapper.links_objects_only(["a.cpp", "-o", "prog"])  # compiles too: needs libc++'s headers
    calls = tmp_path / "calls"
    cc = tmp_path / "cc"
    cc.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    cc.chmod(0o755)
    state, tools = tmp_path / "state", tmp_path / "tools"
    state.mkdir()
    tools.mkdir()
    runtime = [str(tmp_path / n) for n in ("libc++abi.a", "libc++.a", "libunwind.a")]
    compiler_wrapper.make_wrappers(tools, state, "build_sdist.py", str(cc), "ar", ["-O2"], cxx_runtime=runtime)
    monkeypatch.setenv("PYSTATIC_SDIST_STATE", str(state))
    assert compiler_wrapper.wrapper_main(["cxx", "main.o", "-o", "cmTC_1"]) == 0
    assert compiler_wrapper.wrapper_main(["cxx", "-c", "main.cpp", "-o", "main.o"]) == 0
    link, compile_ = calls.read_text().splitlines()
    assert link == "-O2 main.o -o cmTC_1 " + " ".join(runtime), link
    assert compile_ == "-O2 -c main.cpp -o main.o -lc++", compile_
    # Without a prebuilt runtime (a hand run), zig's own -lc++ handling.
    compiler_wrapper.make_wrappers(tools, state, "build_sdist.py", str(cc), "ar", ["-O2"])
    assert compiler_wrapper.wrapper_main(["cxx", "main.o", "-o", "cmTC_2"]) == 0
    assert calls.read_text().splitlines()[-1] == "-O2 main.o -o cmTC_2 -lc++"
