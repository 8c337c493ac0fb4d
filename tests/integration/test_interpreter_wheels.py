"""py_static_interpreter with musllinux wheels installed on disk (issue 27, item 2), end to end.

//examples/python embeds no wheel. Its broad export table (libpython's C API, zlib and musl's
public names: docs/native-objects.md) lets its own loader map the extension modules of wheels
unpacked in a directory on PYTHONPATH, file-backed from the disk files; packaging and pip see the
musllinux tags (the runtime answers packaging's "which musl is this" with the musl it links). The
wheels are the lock's of @pypi_native (examples/native_wheels/requirements.txt, hashed), as
unpacked by the repository rule; packaging's wheel is @pypi_tests'. The interpreter runs alone in
an empty read-only root holding it and the wheels; aarch64 as a cross build under qemu.
"""

import pathlib
import shutil
import subprocess

import pytest

from harness import run_in_root

MUSL = "--platforms=//platforms:linux_musl"
AARCH64 = "--platforms=//platforms:linux_musl_aarch64"

# A msgpack round trip through its C extension, a numpy matrix product (OpenBLAS), the tags.
PROGRAM = """
import sys
import msgpack, msgpack._cmsgpack
packed = msgpack._cmsgpack.Packer().pack({"k": [1, 2, 3]})
print("msgpack:", msgpack._cmsgpack.unpackb(packed), msgpack._cmsgpack.__file__)
import numpy
a = numpy.arange(160000).reshape(400, 400) % 7
print("numpy:", numpy.__version__, int((a @ a.T).sum()), numpy.linalg.solve([[1, 1], [1, -1]], [5, -1]).tolist())
from packaging import tags
print("tags:", " ".join(str(t) for t in list(tags.sys_tags())[:4]))
print("manylinux:", any("manylinux" in str(t) for t in tags.sys_tags()))
"""


def gram_sum(n=400):
    columns = [sum((i * n + k) % 7 for i in range(n)) for k in range(n)]
    return sum(c * c for c in columns)


def expected(machine):
    return [
        f"msgpack: {{'k': [1, 2, 3]}} /site/msgpack/_cmsgpack.cpython-313-{machine}-linux-musl.so",
        f"numpy: 2.5.5 {gram_sum()} [2.0, 3.0]",
        f"tags: cp313-cp313-linux_{machine} cp313-cp313-musllinux_1_2_{machine} cp313-cp313-musllinux_1_1_{machine} "
        f"cp313-cp313-musllinux_1_0_{machine}",
        "manylinux: False",
    ]


def external(bazel, repo):
    """The directory of a fetched repository in this Bazel's output base."""
    bazel.run("fetch", f"--repo=@{repo}")
    base = pathlib.Path(bazel.run("info", "output_base").stdout.strip()) / "external"
    matches = [p for p in base.iterdir() if p.is_dir() and (p.name == repo or p.name.endswith(("~" + repo, "+" + repo)))]
    # A build in WORKSPACE mode (--config=legacy) leaves `<repo>` beside the module extension's
    # `<module>~<extension>~<repo>`: the canonical one is what this (bzlmod) Bazel fetched.
    canonical = [p for p in matches if p.name != repo]
    (found,) = canonical or matches
    return found


def site_packages(bazel, dest, machine):
    """msgpack's and numpy's musllinux wheels for `machine` and packaging's, unpacked into dest."""
    wheels = external(bazel, "pypi_native") / "_whl"
    chosen = [w for w in wheels.iterdir() if w.name.startswith(("msgpack-", "numpy-")) and w.name.endswith(f"_{machine}")]
    chosen += list((external(bazel, "pypi_tests") / "_whl").glob("packaging-*"))
    assert len(chosen) == 3, chosen
    for wheel in chosen:
        shutil.copytree(wheel, dest, dirs_exist_ok=True, symlinks=True)
    return dest


def run_alone(bwrap, interpreter, root, args, env=(), runner=()):
    """Runs the interpreter as /python in `root` (read-only, nothing else in it but /site)."""
    return run_in_root(bwrap, interpreter, root, "python", args, env=[("PYTHONPATH", "/site"), *env], runner=runner)


@pytest.fixture(scope="module")
def interpreter(bazel):
    return bazel.build_file("//examples/python", MUSL)


def test_musllinux_wheels_import_from_disk_with_their_tags(bazel, bwrap, interpreter, tmp_path):
    site_packages(bazel, tmp_path / "root" / "site", "x86_64")
    result = run_alone(bwrap, interpreter, tmp_path / "root", ["-c", PROGRAM], env=[("PYSTATIC_TRACE_NATIVE", "1")])
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == expected("x86_64")
    # The loader mapped the files on disk (not copies), msgpack's extension among them.
    loaded = [line for line in result.stderr.splitlines() if line.startswith("pystatic native: loaded /site/")]
    assert any("_cmsgpack" in line and "(file-backed," in line for line in loaded), result.stderr[-3000:]
    assert any("numpy.libs/libscipy_openblas" in line for line in loaded), result.stderr[-3000:]
    assert not any("(copied," in line for line in loaded), loaded


def test_packaging_embedded_in_the_interpreter_sees_musllinux_tags(bazel, tmp_path):
    python = bazel.build_file("//tests/interpreter:python_with_packaging", MUSL)
    code = "from packaging import tags, _musllinux; import sys; print(_musllinux._get_musl_version(sys.executable)); " \
           "print(sorted({t.platform for t in tags.sys_tags()}))"
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "_MuslVersion(major=1, minor=2)",
        "['any', 'linux_x86_64', 'musllinux_1_0_x86_64', 'musllinux_1_1_x86_64', 'musllinux_1_2_x86_64']",
    ]


def zig(bazel):
    return external(bazel, "pystatic_zig") / "ziglang" / "zig"


def test_a_shared_object_needing_what_the_executable_lacks_is_an_import_error_naming_it(bazel, interpreter, tmp_path):
    """An unknown symbol, and a DT_NEEDED library that is nowhere: ImportErrors that name them."""
    cc = [str(zig(bazel)), "cc", "-target", "x86_64-linux-musl", "-shared", "-fPIC"]
    (tmp_path / "bad.c").write_text("extern int pystatic_test_no_such_symbol(int);\n"
                                    "void *PyInit_bad(void) { return (void *)(long)pystatic_test_no_such_symbol(1); }\n")
    (tmp_path / "needs.c").write_text("extern int pystatic_test_gone(int);\n"
                                      "void *PyInit_needs(void) { return (void *)(long)pystatic_test_gone(1); }\n")
    (tmp_path / "gone.c").write_text("int pystatic_test_gone(int x) { return x; }\n")
    suffix = ".cpython-313-x86_64-linux-musl.so"
    for cmd in ([*cc, "-o", "bad" + suffix, "bad.c", "-Wl,--allow-shlib-undefined"],
                [*cc, "-o", "libgone.so.1", "-Wl,-soname,libgone.so.1", "gone.c"],
                [*cc, "-o", "needs" + suffix, "needs.c", "-L.", "-l:libgone.so.1"]):
        subprocess.run(cmd, cwd=tmp_path, check=True, capture_output=True, timeout=600)
    (tmp_path / "libgone.so.1").unlink()
    code = ("for name in ('bad', 'needs'):\n"
            "    try:\n        __import__(name)\n"
            "    except ImportError as e:\n        print(type(e).__name__, e)\n")
    result = subprocess.run([str(interpreter), "-c", code], capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"ImportError {tmp_path}/bad{suffix}: undefined symbol pystatic_test_no_such_symbol",
        f"ImportError {tmp_path}/needs{suffix}: needed library libgone.so.1 not found (not embedded next to it, not "
        "loaded, not provided by the executable)",
    ]


def test_aarch64_cross_build_under_qemu(bazel, bwrap, qemu_aarch64, tmp_path):
    interpreter = bazel.build_file("//examples/python", AARCH64)
    site_packages(bazel, tmp_path / "root" / "site", "aarch64")
    result = run_alone(bwrap, interpreter, tmp_path / "root", ["-c", PROGRAM], runner=(qemu_aarch64, "-cpu", "neoverse-n1"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == expected("aarch64")
