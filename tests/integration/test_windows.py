"""The windows target (zig's x86_64-windows-gnu, the UCRT): a C program built by its toolchain runs
under wine and imports only Windows' own DLLs, so does the static CPython's python.exe; a Python app
asking for what Windows builds lack fails naming it (the examples: test_windows_binaries.py).

wine starts slowly (a new prefix about 20 s, then about 1 s a run): one run checks several things,
in a prefix kept in the cache directory (tools/test installs Debian's wine64)."""

import os
import pathlib
import shutil
import subprocess

import pytest

from pystatic.binary.verify_pe import static_problems
from starlark_tables import windows_row

ROW = windows_row()
PLATFORM = f"--platforms=//platforms:{ROW['platform']}"
CACHE = pathlib.Path(os.environ.get("RULES_PYSTATIC_CACHE", pathlib.Path.home() / ".cache" / "rules_pystatic"))
# The wine prefix the tests run in: $WINEPREFIX if set (a scratch one), else one kept in the cache directory.
WINEPREFIX = os.environ.get("WINEPREFIX") or str(CACHE / "wine-prefix")


def run_under_wine(wine, exe, *args, timeout=300):
    """Runs a Windows executable under wine in the kept prefix; stdin from /dev/null, pipes for the
    rest (a console is not needed)."""
    # LC_ALL: wine decodes the Unix command line by the locale (without one, "ö" arrives mangled).
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "WINEDEBUG": "-all", "LC_ALL": "C.UTF-8",
           "WINEPREFIX": WINEPREFIX, "WINEDLLOVERRIDES": "mscoree,mshtml="}
    return subprocess.run([wine, str(exe), *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                          timeout=timeout)


@pytest.fixture(scope="module")
def wine():
    path = shutil.which("wine") or shutil.which("wine64")
    if path is None:
        pytest.fail("wine is needed to run the windows test binaries: apt-get install wine64")
    return path


def test_c_program_imports_only_windows_dlls_and_runs_under_wine(bazel, wine):
    bazel.run("build", "//tests/toolchains:windows_hello", "//tests/toolchains:windows_hello_imports", PLATFORM)
    exe = bazel.output_file("//tests/toolchains:windows_hello", PLATFORM)
    assert exe.name == "windows_hello.exe"
    assert static_problems(exe, ROW["pe_machine"]) == []
    # The build-time check (PyStaticVerifyPe) wrote what the executable imports: the UCRT and kernel32.
    imports = bazel.output_file("//tests/toolchains:windows_hello_imports", PLATFORM).read_text().split()
    assert "KERNEL32.dll" in imports and "api-ms-win-crt-stdio-l1-1-0.dll" in imports, imports
    assert [dll for dll in imports if dll != "KERNEL32.dll" and not dll.startswith("api-ms-win-crt-")] == []

    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "WINEDEBUG": "-all",
           "WINEPREFIX": WINEPREFIX, "WINEDLLOVERRIDES": "mscoree,mshtml="}
    result = subprocess.run([wine, str(exe), "one argument"], capture_output=True, text=True, env=env, timeout=300)
    assert (result.returncode, result.stdout.splitlines()) == (7, [
        "hello from rules_pystatic (ucrt, win64)",
        "module: windows_hello.exe",
        "argument: one argument",
    ]), result.stderr[-2000:]


def test_what_windows_builds_lack_fails_the_build_naming_it(bazel):
    result = bazel.run("build", "//tests/toolchains:windows_free_threaded_app", PLATFORM, check=False)
    assert result.returncode != 0
    assert "builds Python 3.13 for target platform" in result.stderr and ROW["triple"] in result.stderr
    assert 'python_version = "3.13"' in result.stderr and "platforms:linux_musl" in result.stderr
    result = bazel.run("build", "//tests/toolchains:windows_compressed_app", PLATFORM, check=False)
    assert result.returncode != 0 and "compress_executable is not available for Windows" in result.stderr


def _archive_members(path):
    """(name, first bytes) of each member of a System V / GNU ar archive."""
    data = path.read_bytes()
    assert data[:8] == b"!<arch>\n", path
    at, members = 8, []
    while at + 60 <= len(data):
        name, size = data[at:at + 16].decode().strip(), int(data[at + 48:at + 58].decode().strip())
        members.append((name, data[at + 60:at + 64]))
        at += 60 + size + (size & 1)
    return members


def test_c_libraries_build_for_windows_as_coff_archives(bazel):
    """zlib, the quickest of the distribution's libraries (about 15 s; docs/windows.md has all seven
    and their times): the Windows recipe (build_dep_windows.py) with the windows toolchain gives an
    archive of x86_64 COFF objects."""
    for lib, archive in (("zlib", "libz.a"),):
        prefix = bazel.build_file(f"//toolchains/cpython:{lib}", PLATFORM)
        assert (prefix / "lib" / "ARCHIVES").read_text().split() == [archive]
        objects = [head for name, head in _archive_members(prefix / "lib" / archive) if name not in ("/", "//", "/SYM64/")]
        assert objects and all(head[:2] == b"\x64\x86" for head in objects), (lib, objects[:3])
        assert (prefix / f"LICENSE.{lib}").is_file()
    # libuuid is left out on Windows (the row's deps_left_out): incompatible, not a failed build.
    result = bazel.run("build", "//toolchains/cpython:libuuid", PLATFORM, check=False)
    assert result.returncode != 0 and "is incompatible" in result.stderr


def test_static_cpython_for_windows_runs_under_wine_importing_only_windows_dlls(bazel, wine):
    """The static CPython of build_cpython_windows.py (PCbuild's file lists, zig cc; docs/windows.md):
    python.exe beside its Lib/, no python3XY.dll, its built-in extension modules working under wine."""
    target = "//toolchains/cpython:cpython_3_13_windows"
    bazel.run("build", target, "//tests/toolchains:windows_cpython_imports", PLATFORM)
    files = [(bazel.execution_root() / f).resolve() for f in bazel.run("cquery", target, PLATFORM, "--output=files").stdout.split()]
    (exe,) = [f for f in files if f.name == "python.exe"]
    (dist,) = [f for f in files if f.name.endswith("_dist")]
    assert static_problems(exe, ROW["pe_machine"]) == []
    imports = bazel.output_file("//tests/toolchains:windows_cpython_imports", PLATFORM).read_text().split()
    assert "KERNEL32.dll" in imports and not [dll for dll in imports if dll.lower().startswith(("python", "lib", "msvcrt", "vcruntime"))], imports
    assert (dist / "Lib" / "os.py").is_file() and (dist / "python.exe").read_bytes() == exe.read_bytes()

    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "WINEDEBUG": "-all",
           "WINEPREFIX": WINEPREFIX, "WINEDLLOVERRIDES": "mscoree,mshtml="}
    code = ("import sys, _socket, _sqlite3, zlib, ssl, _ctypes, _decimal, pyexpat, _lzma, _bz2; "
            "print(sys.version.split()[0], sys.platform, _sqlite3.sqlite_version, "
            "zlib.decompress(zlib.compress(b'abc')).decode(), ssl.OPENSSL_VERSION.split()[0], sep='|')")
    result = subprocess.run([wine, str(dist / "python.exe"), "-I", "-c", code], capture_output=True, text=True, env=env,
                            stdin=subprocess.DEVNULL,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    version, platform, sqlite, roundtrip, ssl = result.stdout.strip().split("|")
    assert (version.rpartition(".")[0], platform, roundtrip, ssl) == ("3.13", "win32", "abc", "OpenSSL")
    assert sqlite.startswith("3.")
