"""The runtime's pieces for Windows (docs/windows.md, The runtime port), as they land: the blob
embedded by the glue's COFF form and read in place by runtime/blob.c, under wine.

The program (tests/windows_runtime/blob_reader.c) is compiled here with the windows toolchain's cc
wrapper and its prebuilt zig runtime (the same files every Windows link of the build uses), against
the Windows CPython distribution's headers and archives (its LINK file), as a py_static_binary for
Windows will be."""

import glob
import os
import pathlib
import subprocess

from pystatic.binary.blob_section import blob_section
from pystatic.binary.verify_pe import static_problems
from pystatic.format.blob import DATA, MODULE, Entry, write_blob
from test_windows import PLATFORM, ROW, WINEPREFIX, wine  # noqa: F401 (wine: the fixture)

REPO = pathlib.Path(__file__).resolve().parents[2]
TRIPLE = ROW["triple"]
TEXT = "payload read in place from the executable"

GLUE_STUB = """
#include "pystatic_runtime.h"
/* This program's blob has no compressed payloads (a binary's glue links zstd when it has). */
size_t pystatic_zstd_decompress(void *dst, size_t capacity, const void *src, size_t size, const void *dict,
                                size_t dict_size) {
    (void)dst, (void)capacity, (void)src, (void)size, (void)dict, (void)dict_size;
    return (size_t)-1;
}
"""


def _build(bazel, tmp_path):
    """The reader linked for Windows with a blob of a package, a module and a data file."""
    target = "//toolchains/cpython:cpython_3_13_windows"
    bazel.run("build", target, PLATFORM)
    root = bazel.execution_root()
    files = [(root / f).resolve() for f in bazel.run("cquery", target, PLATFORM, "--output=files").stdout.split()]
    dist = next(f for f in files if f.is_dir())
    zig_repo = pathlib.Path(bazel.run("info", "output_base").stdout.strip()) / "external" / "pystatic_distribution~~zig~pystatic_zig"
    # The toolchain's prebuilt runtime (its exec-configuration output, built with the distribution).
    runtime = glob.glob(str(root / "bazel-out" / "*" / "bin" / "external" / "pystatic_distribution~~zig~pystatic_zig"
                            / "runtime" / TRIPLE))
    assert runtime, "the windows zig runtime was not built"
    blob = tmp_path / "test.blob"
    blob.write_bytes(write_blob([
        Entry(MODULE, "pkg", primary=b"\xe3" + b"\0" * 15, source=b"# package\n", is_package=True),
        Entry(MODULE, "pkg.mod", primary=b"\xe3" + b"\1" * 31, source=b"x = 1\n"),
        Entry(DATA, "pkg/data.txt", primary=TEXT.encode()),
    ]))
    glue = tmp_path / "glue.c"
    glue.write_text(GLUE_STUB + "\n".join(blob_section(str(blob), 16, "coff")))
    link = [str(dist / line) if not line.startswith("-") else line for line in (dist / "LINK").read_text().split()]
    exe = tmp_path / "blob_reader.exe"
    env = dict(os.environ, **{f"PYSTATIC_ZIG_RUNTIME_{TRIPLE.replace('-', '_')}": runtime[0]})
    cmd = [str(zig_repo / "bin" / f"cc-{TRIPLE}"), "-O2", "-I", str(REPO / "runtime"), "-I", str(dist / "include"),
           str(REPO / "tests/windows_runtime/blob_reader.c"), str(REPO / "runtime/blob.c"), str(REPO / "runtime/blob_crc.c"),
           str(glue), *link, "-o", str(exe)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return exe


def _run(wine, exe, *args):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "WINEDEBUG": "-all",
           "WINEPREFIX": WINEPREFIX, "WINEDLLOVERRIDES": "mscoree,mshtml="}
    return subprocess.run([wine, str(exe), *args], capture_output=True, text=True, env=env, timeout=300)


def test_the_blob_is_embedded_read_only_and_read_in_place_and_a_damaged_entry_is_named(bazel, wine, tmp_path):
    exe = _build(bazel, tmp_path)
    assert static_problems(exe, ROW["pe_machine"]) == []
    result = _run(wine, exe, "pkg/data.txt")
    assert (result.returncode, result.stdout.splitlines()) == (0, [
        "entry 1 pkg 16",
        "entry 1 pkg.mod 32",
        f"entry 2 pkg/data.txt {len(TEXT)}",
        "entries 3, read-only yes, aligned yes",
        f"pkg/data.txt: {TEXT}",
    ]), result.stderr[-2000:]

    # One byte of the data file changed in the executable: its checksum fails at first use, exit 70.
    data = exe.read_bytes()
    assert data.count(TEXT.encode()) == 1
    damaged = tmp_path / "damaged.exe"
    damaged.write_bytes(data.replace(TEXT.encode(), TEXT.upper().encode()))
    result = _run(wine, damaged)
    assert result.returncode == 70, (result.returncode, result.stdout, result.stderr[-2000:])
    assert "damaged.exe: the embedded resource blob is damaged: data file 'pkg/data.txt' (contents) fails its checksum" \
        in result.stderr, result.stderr[-2000:]
