"""The runtime's pieces for Windows (docs/windows.md, The runtime port), as they land: the blob
embedded by the glue's COFF form and read in place by runtime/blob.c, and a Python program run from
the blob by runtime/main_windows.c (imports from memory), under wine.

The programs are compiled here with the windows toolchain's cc wrapper and its prebuilt zig runtime
(the same files every Windows link of the build uses), against the Windows CPython distribution's
headers and archives (its LINK file), as a py_static_binary for Windows will be: it has no rule yet."""

import glob
import hashlib
import os
import pathlib
import subprocess

from pystatic.binary.blob_section import blob_section
from pystatic.binary.gen_glue import glue_source
from pystatic.binary.settings import BinarySettings, ResolvedEntryPoint
from pystatic.binary.verify_pe import static_problems
from pystatic.format.blob import DATA, MODULE, Entry, read_blob, write_blob
from test_windows import PLATFORM, ROW, run_under_wine, wine  # noqa: F401 (wine: the fixture)

REPO = pathlib.Path(__file__).resolve().parents[2]
TRIPLE = ROW["triple"]
MUSL = "--platforms=//platforms:linux_musl"
TEXT = "payload read in place from the executable"
# The runtime's C files of a binary for Windows: all but Linux's loader of shared objects, its libc
# replacements and its main (runtime/BUILD.bazel's c_srcs).
RUNTIME_C = ["main_windows.c", "interpreter_windows.c", "start_up.c", "blob.c", "blob_crc.c", "blob_module.c", "file_view.c", "tree_stat.c",
             "gc_promote.c"]

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


def test_a_python_program_runs_from_the_blob_with_main_windows(bazel, wine, tmp_path):
    """runtime/main_windows.c with the shared start-up (start_up.c): the importer over the blob, the
    standard library of the Windows distribution's Lib/ compiled by the build machine's python3.13
    (compile_bytecode.py, as the runtime toolchain compiles Linux's), the wide command line, the
    entry point's return value as the exit status, multiprocessing's spawn re-running the .exe
    (sys.frozen: `--multiprocessing-fork`), and the file view: open, listdir, isdir, getsize,
    pathlib below the executable with `\\` (ntpath.join) or `/`, writes refused with EROFS."""
    build_dist = next(f for f in _files(bazel, "//toolchains/cpython:cpython_3_13", MUSL) if f.is_dir())
    windows_dist = next(f for f in _files(bazel, "//toolchains/cpython:cpython_3_13_windows", PLATFORM) if f.is_dir())
    modules = [arg for path in sorted((REPO / "runtime").glob("_pystatic_*.py")) if path.stem != "_pystatic_minimal_curses"
               for arg in ("--module", path.stem, str(path))]
    blob = tmp_path / "app.blob"
    compile_cmd = [str(build_dist / "bin" / "python3.13"), "-S", "-B", str(REPO / "actions/pystatic/binary/compile_bytecode.py"),
                   "--stdlib", str(windows_dist / "Lib"), *modules,
                   "--module", "hello_windows", str(REPO / "tests/windows_runtime/hello_windows.py"),
                   "--optimize", "0", "--output", str(blob), "--imports", str(tmp_path / "imports.json")]
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=f"{REPO / 'actions'}:{REPO / 'distribution/actions'}")
    result = subprocess.run(compile_cmd, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    # Data files beside the module, for the file view (the pack step adds an app's data so).
    compiled = read_blob(blob)
    blob.write_bytes(write_blob(compiled.entries() + [
        Entry(DATA, "hello_data/greeting.txt", primary="grüße from the blob\n".encode()),
        Entry(DATA, "hello_data/more/x.txt", primary=b"x"),
    ], bytecode_magic=compiled.bytecode_magic))
    glue = tmp_path / "glue.c"
    settings = BinarySettings(frozen_bootstrap_only=False)
    glue.write_text(glue_source(settings, str(blob), hashlib.sha256(blob.read_bytes()).hexdigest(),
                                ResolvedEntryPoint("hello_windows", "main"), object_format="coff"))
    exe = _link(bazel, [REPO / "runtime" / name for name in RUNTIME_C] + [glue], tmp_path / "hello.exe", ["-municode"])

    result = run_under_wine(wine, exe, "one", "two wörds")
    assert (result.returncode, result.stdout.splitlines()) == (3, [
        "hello from rules_pystatic on win32 argv ['one', 'two wörds']",
        "executable hello.exe frozen True",
        "module hello_windows from the blob: True",
        "json {'ünïcode': [1, 2.5, None]}",
        "file grüße from the blob ['greeting.txt', 'more'] True False False 22",
        "pathlib grüße from the blob ['greeting.txt', 'more']",
        "write EROFS",
        "spawn pool [0, 1, 4, 9, 16]",
    ]), result.stderr[-3000:]
