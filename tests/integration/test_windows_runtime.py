"""The blob reader on Windows (docs/windows.md, The runtime port): the blob embedded by the glue's
COFF form and read in place by runtime/blob.c, under wine, in a C program without Python.

The program is compiled here with the windows toolchain's cc wrapper and its prebuilt zig runtime
(the same files every Windows link of the build uses), against the Windows CPython distribution's
headers and archives (its LINK file). Python programs from the blob: test_windows_binaries.py."""

import glob
import os
import pathlib
import subprocess

from pystatic.binary.blob_section import blob_section
from pystatic.binary.verify_pe import static_problems
from pystatic.format.blob import DATA, MODULE, Entry, write_blob
from test_windows import PLATFORM, ROW, run_under_wine, wine  # noqa: F401 (wine: the fixture)

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


def _files(bazel, target, platform):
    bazel.run("build", target, platform)
    root = bazel.execution_root()
    return [(root / f).resolve() for f in bazel.run("cquery", target, platform, "--output=files").stdout.split()]


def _zig_runtime(bazel):
    """The windows toolchain's prebuilt zig runtime: the toolchain's own copy (exec configuration)
    when the output tree holds all of it (a Windows link or library ran here: test_windows.py),
    else built here in the target configuration (from the disk cache once it has been built once)."""
    target = f"@pystatic_zig//:runtime_{TRIPLE}"
    names = [path.rpartition("/")[2] for path in bazel.run("cquery", target, PLATFORM, "--output=files").stdout.split()]
    pattern = bazel.execution_root() / "bazel-out" / "*" / "bin" / "external" / "pystatic_distribution~~zig~pystatic_zig"
    for directory in map(pathlib.Path, glob.glob(str(pattern / "runtime" / TRIPLE))):
        if names and all((directory / name).is_file() for name in names):
            return directory
    return _files(bazel, target, PLATFORM)[0].parent


def _link(bazel, sources, output, flags=()):
    """Compiles and links `sources` for Windows against the Windows distribution; returns the .exe."""
    dist = next(f for f in _files(bazel, "//toolchains/cpython:cpython_3_13_windows", PLATFORM) if f.is_dir())
    output_base = pathlib.Path(bazel.run("info", "output_base").stdout.strip())
    zig_repo = output_base / "external" / "pystatic_distribution~~zig~pystatic_zig"
    runtime = _zig_runtime(bazel)
    link = [str(dist / line) if not line.startswith("-") else line for line in (dist / "LINK").read_text().split()]
    env = dict(os.environ, **{f"PYSTATIC_ZIG_RUNTIME_{TRIPLE.replace('-', '_')}": str(runtime)})
    cmd = [str(zig_repo / "bin" / f"cc-{TRIPLE}"), "-O2", *flags, "-I", str(REPO / "runtime"), "-I", str(dist / "include"),
           *map(str, sources), *link, "-o", str(output)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert static_problems(output, ROW["pe_machine"]) == []
    return output


def test_the_blob_is_embedded_read_only_and_read_in_place_and_a_damaged_entry_is_named(bazel, wine, tmp_path):
    blob = tmp_path / "test.blob"
    blob.write_bytes(write_blob([
        Entry(MODULE, "pkg", primary=b"\xe3" + b"\0" * 15, source=b"# package\n", is_package=True),
        Entry(MODULE, "pkg.mod", primary=b"\xe3" + b"\1" * 31, source=b"x = 1\n"),
        Entry(DATA, "pkg/data.txt", primary=TEXT.encode()),
    ]))
    glue = tmp_path / "glue.c"
    glue.write_text(GLUE_STUB + "\n".join(blob_section(str(blob), 16, "coff")))
    sources = [REPO / "tests/windows_runtime/blob_reader.c", REPO / "runtime/blob.c", REPO / "runtime/blob_crc.c", glue]
    exe = _link(bazel, sources, tmp_path / "blob_reader.exe")
    result = run_under_wine(wine, exe, "pkg/data.txt")
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
    result = run_under_wine(wine, damaged)
    assert result.returncode == 70, (result.returncode, result.stdout, result.stderr[-2000:])
    assert "damaged.exe: the embedded resource blob is damaged: data file 'pkg/data.txt' (contents) fails its checksum" \
        in result.stderr, result.stderr[-2000:]
