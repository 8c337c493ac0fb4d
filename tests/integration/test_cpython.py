"""The static CPython distribution, built by Bazel with the zig musl toolchain."""

import hashlib
import pathlib
import re
import subprocess

import pytest

from pystatic.binary.frozen_modules import archive_member
from pystatic.binary.verify_elf import static_problems
from pystatic.common import descriptor as distribution_descriptor
from pystatic.distribution import lto

TARGET = "//toolchains/cpython:cpython_3_13"
MUSL = "--platforms=//platforms:linux_musl"
PROFILES = pathlib.Path(__file__).resolve().parents[2] / "distribution" / "toolchains" / "cpython" / "pgo"


def checked_in_profile():
    (profile,) = PROFILES.glob("cpython-3.13.*.profdata.xz")
    return {"profile": profile.name, "profile_sha256": hashlib.sha256(profile.read_bytes()).hexdigest()}


@pytest.fixture(scope="module")
def distribution(bazel):
    bazel.run("build", TARGET, MUSL)
    outputs = bazel.run("cquery", TARGET, MUSL, "--output=files").stdout.split()
    # Resolved now: bazel-out/ follows whichever output base built last.
    dist = next((bazel.execution_root() / p).resolve() for p in outputs if p.endswith("_dist"))
    descriptor = distribution_descriptor.load(next(bazel.execution_root() / p for p in outputs if p.endswith(".json")))
    return dist, descriptor


def test_descriptor_names_version_target_and_link_inputs(distribution):
    dist, d = distribution
    assert (d.python_version, d.target_triple) == ("3.13.15", "x86_64-linux-musl")
    archives = d.archives
    assert archives[0] == "lib/libpython3.13.a"
    # The layout that Starlark assumes at analysis time (runtime.bzl, distribution.bzl: bin/pythonX.Y).
    assert (d.interpreter, d.stdlib, d.inittab) == ("bin/python3.13", "lib/python3.13", "config.c")
    assert (dist / d.interpreter).is_file() and (dist / d.stdlib / "os.py").is_file()
    for archive in archives:
        assert (dist / archive).read_bytes()[:8] == b"!<arch>\n", archive


def test_distribution_is_built_with_the_checked_in_pgo_profile(distribution):
    _, d = distribution
    assert d.pgo is not None, "the 3.13 build names a pgo_profile (distribution/toolchains/python_builds.bzl)"
    assert {k: d.pgo[k] for k in ("profile", "profile_sha256")} == checked_in_profile()
    assert d.pgo["python_version"] == d.python_version


def test_aarch64_cross_build_is_static_and_runs_under_qemu(bazel, qemu_aarch64, distribution):
    aarch64 = "--platforms=//platforms:linux_musl_aarch64"
    bazel.run("build", TARGET, aarch64)
    # cquery also lists the x86_64 build Python (the same target in the build machine's configuration).
    outputs = [p for p in bazel.run("cquery", TARGET, aarch64, "--output=files").stdout.split() if "aarch64" in p]
    assert len(outputs) == 2, outputs
    dist = next((bazel.execution_root() / p).resolve() for p in outputs if p.endswith("_dist"))
    d = distribution_descriptor.load(next(bazel.execution_root() / p for p in outputs if p.endswith(".json")))
    assert (d.python_version, d.target_triple) == ("3.13.15", "aarch64-linux-musl")
    # The front-end profile does not depend on the target: the same one as x86_64's.
    assert {k: d.pgo[k] for k in ("profile", "profile_sha256")} == checked_in_profile()
    for name in ("_ssl", "_ctypes", "_sqlite3", "_uuid", "_lzma", "_bz2", "zlib", "_decimal"):
        assert d.extensions[name]["builtin"], name
    python = dist / d.interpreter
    assert static_problems(python, "EM_AARCH64") == []
    # time.tzset: configure's cross default said musl's was broken (configure_answers.py).
    code = (
        "import ctypes, lzma, sqlite3, ssl, sys, time, uuid;"
        "double = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: 2 * x);"
        "print(sys.implementation._multiarch, ssl.OPENSSL_VERSION.split()[:2], double(21),"
        " sqlite3.connect(':memory:').execute('select 1').fetchone(), uuid.uuid1().version, hasattr(time, 'tzset'),"
        " sys.hash_info.algorithm)"
    )
    result = subprocess.run([qemu_aarch64, str(python), "-I", "-c", code], capture_output=True, text=True, env={},
                            timeout=120)
    assert (result.returncode, result.stdout) == (0, "aarch64-linux-musl ['OpenSSL', '3.5.7'] 42 (1,) 1 True siphash13\n"), result.stderr
    # What configure ran a program to find out is the target's, not the build machine's: the same on both CPUs.
    x86_64, _ = distribution
    answered = ("HAVE_BROKEN_NICE", "HAVE_WORKING_TZSET", "HAVE_BROKEN_SEM_GETVALUE", "POSIX_SEMAPHORES_NOT_ENABLED",
                "PTHREAD_SYSTEM_SCHED_SUPPORTED", "HAVE_BROKEN_POLL", "HAVE_BROKEN_MBSTOWCS", "HAVE_DEV_PTMX",
                "HAVE_UUID_GENERATE_TIME_SAFE_STABLE_MAC")

    def macros(dist):
        text = (dist / "include" / "pyconfig.h").read_text()
        return {name: re.search(rf"^(#define {name} .*|/\* #undef {name} \*/)$", text, re.M).group(1) for name in answered}

    assert macros(dist) == macros(x86_64)


def test_builtin_extensions_come_from_the_generated_inittab(distribution):
    dist, d = distribution
    config_c = (dist / d.inittab).read_text()
    for name in ("_decimal", "_json", "_socket", "pyexpat", "_sha2", "math", "_asyncio", "zlib", "_bz2", "_lzma",
                 "_ssl", "_hashlib", "_ctypes", "_sqlite3", "_uuid"):
        assert d.extensions[name]["init"] == f"PyInit_{name}"
        assert f'{{"{name}", PyInit_{name}}}' in config_c
    left_out = d.extensions_left_out
    assert not set(left_out) & set(d.extensions)
    assert left_out["_tkinter"]["reason"] and all(v["reason"] for v in left_out.values())
    # Left out on purpose, whatever the build machine has: GPL readline, no ncurses.
    assert left_out["readline"]["state"] == "n/a" and "GPL" in left_out["readline"]["reason"]
    assert left_out["_curses"]["state"] == "n/a" and "ncurses" in left_out["_curses"]["reason"]


def test_interpreter_is_static_and_runs_the_stdlib(distribution):
    dist, d = distribution
    python = dist / d.interpreter
    assert static_problems(python, "EM_X86_64") == []
    code = (
        "import bz2, ctypes, decimal, gzip, hashlib, json, lzma, ssl, sys, xml.dom.minidom;"
        "double = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: 2 * x);"
        "data = lzma.compress(bz2.compress(gzip.compress(b'ok')));"
        "print(sys.version_info[:2], decimal.Decimal(1) / 4, gzip.decompress(bz2.decompress(lzma.decompress(data))).decode(),"
        " ssl.OPENSSL_VERSION.split()[:2], hashlib.sha3_256(b'').hexdigest()[:8], hashlib.new('md5', b'').hexdigest()[:8], double(21),"
        " sys.hash_info.algorithm)"
    )
    # str's hash is SipHash, as python3's (configure_answers.py, BY_CPU): FNV lets keys be made to collide.
    result = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, env={}, timeout=60)
    assert (result.returncode, result.stdout) == (0, "(3, 13) 0.25 ok ['OpenSSL', '3.5.7'] a7ffc6f8 d41d8cd9 42 siphash13\n"), result.stderr


def test_sqlite3_and_uuid_run_on_their_static_libraries(distribution):
    dist, d = distribution
    code = (
        "import sqlite3, uuid;"
        "db = sqlite3.connect(':memory:');"
        "db.execute('create virtual table docs using fts5(body)');"
        "db.execute(\"insert into docs values ('a static python'), ('musl')\");"
        "db.execute('create virtual table boxes using rtree(id, x0, x1)');"
        "hits = db.execute(\"select body from docs where docs match 'static'\").fetchall();"
        "math = db.execute(\"select sqrt(16), json_extract('{\\\"a\\\": 2}', '$.a')\").fetchone();"
        "u = uuid.uuid1();"
        "print(db.execute('select sqlite_version()').fetchone()[0], hits, math, sqlite3.threadsafety,"
        " uuid._uuid is not None, uuid._generate_time_safe is not None, u.version, uuid.UUID(str(u)) == u)"
    )
    result = subprocess.run([str(dist / d.interpreter), "-I", "-c", code], capture_output=True, text=True, env={}, timeout=60)
    assert (result.returncode, result.stdout) == (0, "3.53.4 [('a static python',)] (4.0, 2) 3 True True 1 True\n"), result.stderr


def test_stdlib_tree_and_licence(distribution):
    dist, d = distribution
    stdlib = dist / d.stdlib
    assert (stdlib / "os.py").is_file() and (stdlib / "importlib" / "resources" / "__init__.py").is_file()
    for excluded in d.stdlib_excluded:
        assert not (stdlib / excluded).exists(), excluded
    licenses = {entry["component"]: entry for entry in d.licenses}
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in (dist / licenses["cpython"]["file"]).read_text()
    assert {"expat", "libmpdec", "HACL*", "zlib", "bzip2", "xz", "openssl", "libffi", "sqlite3", "libuuid", "zstd"} <= set(licenses)
    for entry in licenses.values():
        assert (dist / entry["file"]).stat().st_size > 500, entry
    assert licenses["openssl"]["license"] == "Apache-2.0"
    zlib = licenses["zlib"]
    assert (zlib["license"], zlib["version"]) == ("Zlib", "1.3.2")
    assert "Jean-loup Gailly" in (dist / zlib["file"]).read_text()
    assert len(zlib["source_sha256"]) == 64 and zlib["source_origin"]
    assert "public domain" in (dist / licenses["sqlite3"]["file"]).read_text().lower()
    assert "Theodore Ts'o" in (dist / licenses["libuuid"]["file"]).read_text()
    # zstd is dual-licensed; the distribution ships it under BSD-3-Clause.
    assert licenses["zstd"]["license"] == "BSD-3-Clause" and "Meta Platforms" in (dist / licenses["zstd"]["file"]).read_text()


def test_dependency_archives_are_linked_after_libpython(distribution):
    _, d = distribution
    archives = d.archives
    # libzstd.a: no CPython 3.13 module uses it; programs' own C code (resource decompression) does.
    for lib in ("libz.a", "libbz2.a", "liblzma.a", "libssl.a", "libcrypto.a", "libffi.a", "libsqlite3.a", "libuuid.a",
                "libzstd.a"):
        assert archives.index(f"lib/{lib}") > 0, lib
    # libssl needs libcrypto: it must come first in a single-pass static link.
    assert archives.index("lib/libssl.a") < archives.index("lib/libcrypto.a")


def test_interpreter_core_is_one_native_lto_object_and_the_inittab_stays_apart(distribution):
    """python_builds.bzl's lto: the core's fat objects became one native object (no bitcode left for
    a binary's link to carry); config.o, frozen.o (a binary's glue replaces their tables) and the
    built-in modules' objects are members of their own, native too."""
    dist, d = distribution
    libpython = dist / d.archives[0]
    core = archive_member(libpython, lto.LTO_OBJECT)
    assert core is not None, f"{libpython.name} has no {lto.LTO_OBJECT}"
    assert lto.SHT_LLVM_LTO not in lto.elf_section_types(core)
    assert b"_PyEval_EvalFrameDefault" in core and b"PyUnicode_FromString" in core
    for merged in ("ceval.o", "unicodeobject.o", "getbuildinfo.o"):
        assert archive_member(libpython, merged) is None, merged
    for apart in (*lto.LTO_SEPARATE, "_json.o", "_datetimemodule.o"):
        member = archive_member(libpython, apart)
        assert member is not None and lto.SHT_LLVM_LTO not in lto.elf_section_types(member), apart
    # bin/python3.13 was linked again from that archive: it runs, and it holds the LTO core's code
    # (ThinLTO renames the file-local functions it exports across files: take_gil.llvm.<hash>;
    # make's own link of the native halves has none).
    python = dist / d.interpreter
    assert subprocess.run([python, "-c", "import json, sqlite3"], check=False).returncode == 0
    assert re.search(rb"\b\w+\.llvm\.\d+\b", python.read_bytes()), f"{python}: not linked from {lto.LTO_OBJECT}"


def test_clean_build_elsewhere_is_served_from_the_disk_cache(distribution, fresh_bazel):
    """A fresh output base (a teammate, a CI machine) with the same disk cache executes nothing."""
    result = fresh_bazel("teammate").run("build", TARGET, MUSL)
    summary = result.stderr[result.stderr.rfind("INFO: Elapsed") :]
    assert "disk cache hit" in summary and "linux-sandbox" not in summary, summary
