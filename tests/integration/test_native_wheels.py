"""Binary wheels as they are, loaded from memory (docs/native-wheels.md), end to end.

//examples/native_wheels embeds the musllinux wheels of orjson, rpds-py, cryptography and
pydantic-core (Rust), msgpack and psutil (C), lxml, numpy (OpenBLAS's thread pool, FFT, random,
linalg), Pillow (PNG, JPEG, WebP and FreeType from its bundled libraries) and pyzmq (C++, its bundled
libzmq), with pydantic and jsonschema on top; nothing is compiled from them. The binary
runs alone in an empty read-only root (a fresh /proc for psutil), on x86_64 and as an aarch64 cross
build under qemu (`-cpu neoverse-n1`: OpenBLAS's SME kernels give wrong results under `-cpu max`).
"""

import json
import os
import subprocess
import sys

import pytest

from harness import run_in_root

MUSL = "--platforms=//platforms:linux_musl"
AARCH64 = "--platforms=//platforms:linux_musl_aarch64"
EXPECTED = {
    "orjson": "orjson 3.13.0: {'a': [1, 2.5, None, 'é']}",
    "rpds": "rpds: [('x', 1), ('y', 2)] from rpds.cpython-313-{machine}-linux-musl.so",
    "msgpack": "msgpack: {'k': [1, 2, 3]} packer=msgpack._cmsgpack",
    "psutil": "psutil: cpus=True pid=True",
    # sum(a @ a.T) of the 400x400 matrix of i % 7 (OpenBLAS's threads) = sum over columns of (column sum)^2.
    "numpy": "numpy 2.5.5: product={product} fft=[8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] solve=[2.0, 3.0] random=[8, 77, 65]",
    "pillow": "pillow: {'PNG': (64, 32), 'JPEG': (64, 32), 'WEBP': (64, 32)} freetype=True inked=True",
    "zmq": "zmq 4.3.5: over inproc",
    # cryptography's Rust extension with its own OpenSSL (and cffi's _cffi_backend): SHA-256 of
    # "abc" (FIPS 180-2's first example), an Ed25519 signature verified, a Fernet round trip.
    "cryptography": "cryptography: sha256(abc)=ba7816bf8f01cfea ed25519=verified fernet=secret",
    # pydantic on pydantic-core (Rust; its wheels are musllinux_1_1 only).
    "pydantic": "pydantic: {'x': 3, 'y': 0.0} invalid: 1 error",
    # lxml.etree is the extension itself (libxml2/libxslt linked into it).
    "lxml": "lxml: ['y'] <b n=\"1\">x</b>",
    # libxml2 and libxslt open the binary's files by path (runtime/native_files.c): XInclude, XSLT.
    "files": "files: parts: a1=bolt b2=nut",
    # jsonschema on referencing and rpds-py.
    "jsonschema": "jsonschema: [\"'x' is not of type 'integer'\"]",
    # Pillow's bundled libzstd 1.5.7 through ctypes.CDLL of its path below the executable.
    "ctypes": "ctypes: libzstd 10507, missing: OSError naming it",
}


def gram_sum(n=400):
    columns = [sum((i * n + k) % 7 for i in range(n)) for k in range(n)]
    return sum(c * c for c in columns)


def expected(check, machine):
    return EXPECTED[check].replace("{machine}", machine).replace("{product}", str(gram_sum()))


def run_alone(bwrap, binary, tmp_path, checks, runner=(), env=()):
    """Runs the binary as /app in an empty read-only root; returns the CompletedProcess."""
    root = tmp_path / "root"
    result = run_in_root(bwrap, binary, root, "app", checks, env=env, runner=runner)
    assert sorted(os.listdir(root)) == sorted(["app", "proc"] + (["qemu"] if runner else []))
    return result


@pytest.fixture(scope="module")
def x86_64_binary(bazel):
    # The pack report (a non-default output) is read too: download every output, not only the binary.
    return bazel.build_file("//examples/native_wheels", MUSL, "--remote_download_all")


@pytest.mark.parametrize("check", sorted(EXPECTED))
def test_each_wheel_works_from_memory(bwrap, x86_64_binary, tmp_path, check):
    result = run_alone(bwrap, x86_64_binary, tmp_path, [check])
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == expected(check, "x86_64"), result.stdout


def test_shared_objects_are_embedded_aligned_and_mapped_from_the_file(bwrap, x86_64_binary, tmp_path):
    report = json.loads(x86_64_binary.with_name("native_wheels.blob.json").read_text())
    paths = {s["path"] for s in report["shared_objects"]}
    assert "numpy/_core/_multiarray_umath.cpython-313-x86_64-linux-musl.so" in paths, sorted(paths)
    assert any(p.startswith("numpy.libs/libscipy_openblas") for p in paths), sorted(paths)
    assert any(p.startswith("pillow.libs/libfreetype") for p in paths), sorted(paths)
    # The trace says how each object was mapped: from the executable's own file, not copied.
    result = run_alone(bwrap, x86_64_binary, tmp_path, ["numpy"], env=[("PYSTATIC_TRACE_NATIVE", "1")])
    assert result.returncode == 0, result.stderr[-3000:]
    traced = [line for line in result.stderr.splitlines() if "_multiarray_umath" in line]
    assert traced and "file-backed" in traced[0], result.stderr[-3000:]


def test_aarch64_cross_build_under_qemu(bazel, bwrap, qemu_aarch64, tmp_path):
    binary = bazel.build_file("//examples/native_wheels", AARCH64)
    result = run_alone(bwrap, binary, tmp_path, list(EXPECTED), runner=(qemu_aarch64, "-cpu", "neoverse-n1"))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert lines == [expected(c, "aarch64") for c in EXPECTED], lines


# Sets PR_SET_MDWE (PR_MDWE_REFUSE_EXEC_GAIN) on itself, then runs the binary: the setting is
# inherited across execve, as under systemd's MemoryDenyWriteExecute.
MDWE_LAUNCHER = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:
    sys.exit(77)
os.execv(sys.argv[1], sys.argv[1:])
"""


def run_under_mdwe(binary, *args, env=None):
    result = subprocess.run([sys.executable, "-c", MDWE_LAUNCHER, str(binary), *args], capture_output=True, text=True,
                            timeout=600, env=env)
    if result.returncode == 77:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3+)")
    return result


def test_file_backed_mapping_works_under_memory_deny_write_execute(x86_64_binary):
    result = run_under_mdwe(x86_64_binary, "numpy", "orjson", "pillow", env={"PYSTATIC_TRACE_NATIVE": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [expected(c, "x86_64") for c in ("numpy", "orjson", "pillow")]
    assert "copied" not in result.stderr and "file-backed" in result.stderr


def test_compressed_executable_copies_and_says_why_it_cannot_under_mdwe(bazel):
    binary = bazel.build_file("//examples/native_wheels:native_wheels_compressed", MUSL)
    result = subprocess.run([str(binary), "orjson", "msgpack"], capture_output=True, text=True, timeout=300,
                            env={"PYSTATIC_TRACE_NATIVE": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [expected("orjson", "x86_64"), expected("msgpack", "x86_64")]
    assert "(copied," in result.stderr and "file-backed" not in result.stderr, result.stderr
    refused = run_under_mdwe(binary, "orjson")
    assert refused.returncode != 0 and "refuses to make decompressed code executable" in refused.stderr, refused.stderr
