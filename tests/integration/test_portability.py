"""Portability: the example binaries run on a Linux that has nothing of the build machine.

Here: a minimal Debian bullseye root (glibc 2.31, none of our files, made once by
tools/debian_root), read-only, with the binary bound in; the aarch64 build too, under the static
qemu-aarch64-static bound in beside it. The other two portability proofs live
beside the examples' other tests in test_binary.py: alone in an empty root
(test_runs_alone_in_an_empty_read_only_root) and the aarch64 build under qemu-user
(test_aarch64_examples_are_fully_static_and_run_under_qemu). See docs/proofs.md.
"""

import json
import shutil
import subprocess

import pytest

from harness import REPO

MUSL = "--platforms=//platforms:linux_musl"
EXAMPLES = ["//examples/hello", "//examples/cli"]


@pytest.fixture(scope="module")
def examples(bazel):
    bazel.run("build", *EXAMPLES, MUSL)
    return {target.rpartition("/")[2]: bazel.output_file(target, MUSL) for target in EXAMPLES}


@pytest.fixture(scope="module")
def bullseye():
    """The root directory of a minimal Debian bullseye (debootstrap minbase; cached)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        pytest.skip("bubblewrap is needed to run in a Debian root: apt-get install bubblewrap")
    result = subprocess.run([str(REPO / "tools" / "debian_root"), "bullseye"], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"tools/debian_root bullseye could not make the root: {result.stderr[-2000:]}")
    root = result.stdout.strip()
    with open(f"{root}/etc/debian_version") as f:
        assert f.read().startswith("11."), "a bullseye root"

    def run(binary, *args, emulator=None):
        """Runs `binary` as /opt/app with `args` (under `emulator`, bound in as /opt/emulator), or
        (binary None) the root's own command `args`."""
        # Read-only root; /proc, /dev (with /dev/shm) and a /tmp as on any machine. The root's
        # /app cannot be created (read-only), so the binary is bound into a tmpfs on /opt.
        cmd = [bwrap, "--ro-bind", root, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/opt",
               "--unshare-all", "--die-with-parent", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin"]
        if emulator is not None:
            cmd += ["--ro-bind", emulator, "/opt/emulator"]
        if binary is not None:
            cmd += ["--ro-bind", str(binary), "/opt/app"]
            args = ("/opt/emulator", "/opt/app", *args) if emulator else ("/opt/app", *args)
        return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120)

    return run


def test_the_root_is_debian_bullseye_with_its_old_glibc(bullseye):
    """What the binaries below run on: bullseye's own userland (glibc 2.31), nothing of ours."""
    result = bullseye(None, "ldd", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ldd (Debian GLIBC 2.31-"), result.stdout
    assert bullseye(None, "ls", "/opt").stdout == ""


def test_hello_runs_in_debian_bullseye(bullseye, examples):
    result = bullseye(examples["hello"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "hello from rules_pystatic: Python 3.13.15 on x86_64-linux-musl, one static executable\n"
        "sys.executable = /opt/app\n"
    )


def test_cli_runs_in_debian_bullseye(bullseye, examples):
    cli = examples["cli"]
    result = bullseye(cli, "info")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["executable"] == "/opt/app" and info["python"] == "3.13.15"
    assert info["openssl"].startswith("OpenSSL 3.5.7") and info["sqlite"].startswith("3.") and info["zlib"].startswith("1.3")
    assert info["decimal"] == "0.1428571428571428571428571429"
    assert info["data_files"] == ["motd.txt", "schema.sql"] and info["motd"].startswith("Packaged with rules_pystatic")
    assert info["distribution"] == "1.0.0" and info["console_scripts"] == ["pystatic-cli"]
    tls = json.loads(bullseye(cli, "tls").stdout)
    assert tls == {"protocol": "PROTOCOL_TLS_CLIENT", "verify": "CERT_REQUIRED", "openssl": info["openssl"]}
    assert json.loads(bullseye(cli, "compress", "xyz").stdout)["raw"] == 300
    notes = json.loads(bullseye(cli, "notes", "a", "b").stdout)
    assert [n["body"] for n in notes] == ["a", "b"] and notes[0]["sha256"] == "ca978112ca1b"
    assert json.loads(bullseye(cli, "ctypes").stdout) == {"callback": 42, "array_sum": 10, "sizeof_long": 8}
    failing = bullseye(cli, "fail")
    assert failing.returncode == 1 and 'raise RuntimeError("failing on purpose")' in failing.stderr


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_cli_multiprocessing_runs_in_debian_bullseye(bullseye, examples, method):
    result = bullseye(examples["cli"], "workers", "--start-method", method, "a", "b", "c")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["digests"] == ["ca978112ca1bbdca", "3e23e8160039594a", "2e7d2c03a9507ae2"]


@pytest.fixture(scope="module")
def aarch64_cli(bazel):
    # Built (and run) by test_binary.py already: here from the output base or the disk cache.
    aarch64 = "--platforms=//platforms:linux_musl_aarch64"
    return bazel.build_file("//examples/cli", aarch64)


def test_aarch64_cli_runs_in_debian_bullseye_under_qemu(bullseye, aarch64_cli):
    qemu = shutil.which("qemu-aarch64-static")  # static: it runs inside the root as well
    if qemu is None:
        pytest.skip("qemu-aarch64-static is needed to run aarch64 binaries: apt-get install qemu-user-static")
    result = bullseye(aarch64_cli, "info", emulator=qemu)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["openssl"].startswith("OpenSSL 3.5.7") and info["decimal"] == "0.1428571428571428571428571429"
    assert info["data_files"] == ["motd.txt", "schema.sql"]
    assert json.loads(bullseye(aarch64_cli, "ctypes", emulator=qemu).stdout) == {"callback": 42, "array_sum": 10,
                                                                               "sizeof_long": 8}
