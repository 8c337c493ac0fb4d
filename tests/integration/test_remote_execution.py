"""Remote execution on a real REAPI service (docs/remote-execution.md, docs/proofs.md).

tools/remote_execution starts PostgreSQL, BuildGrid and a buildbox worker on 127.0.0.1 for this
module (and stops them by PID after it). The worker is clean: a Debian sid root with exactly the
exec platform's worker_packages, a private /tmp and /var/tmp, actions run with --clearenv.

- The binary phase: //examples/hello and //examples/wheels, for x86_64 and aarch64, built with
  --config=remote in a fresh output base, without the disk cache and with --noremote_accept_cached:
  every spawn of the execution log ran on the worker ("remote"), none came from a cache, and the
  executables are byte-identical to the local build's. The distribution they link is not rebuilt:
  a first build (the same config, with the disk cache of .bazelrc) takes it from the disk cache,
  whose keys are the remote build's (its actions run on //platforms:exec_linux_x86_64 locally too).
- A C library of the distribution (zlib) built remotely from scratch, byte-identical to the local one.
"""

import contextlib
import hashlib
import pathlib
import subprocess
from typing import NamedTuple

import pytest

from harness import REPO, ran

PLATFORMS = ["linux_musl", "linux_musl_aarch64"]
BINARIES = ["//examples/hello", "//examples/wheels"]
DISTRIBUTION = "@pystatic_distribution//toolchains/cpython:cpython_3_13"
C_LIBRARY = "@pystatic_distribution//toolchains/cpython:zlib"

# Host directories the worker shares (tools/remote_execution --worker-bind). Empty: a clean worker.
# The actions are hermetic (zig's lib/ and runtime are declared inputs, its caches private to the
# action: docs/remote-execution.md, "What every action needs"), so none is needed.
WORKER_BINDS = []


class Service(NamedTuple):
    address: str  # grpc://127.0.0.1:PORT
    state: pathlib.Path  # the run's directory: its database, CAS and logs

    def log_tails(self, chars=1500):
        return "\n".join(f"--- {name} (end) ---\n{(self.state / name).read_text(errors='replace')[-chars:]}"
                         for name in ("buildgrid.log", "casd.log", "worker.log") if (self.state / name).exists())


@contextlib.contextmanager
def service_logs_on_failure(service):
    """A failed remote build's message gets the service's logs: Bazel reports an upload or execution
    error without the server's side of it, and the run's directory is deleted when the module ends."""
    try:
        yield
    except pytest.fail.Exception as failure:
        pytest.fail(f"{failure}\n{service.log_tails()}")


@pytest.fixture(scope="module")
def executor(tmp_path_factory):
    """A BuildGrid with one clean worker (its address and state directory), up for this module."""
    binds = [arg for path in WORKER_BINDS for arg in ("--worker-bind", path)]
    log = tmp_path_factory.mktemp("reapi") / "remote_execution.log"
    # The command holds the service up until its stdin closes: it prints the address, then waits.
    service = subprocess.Popen(
        [str(REPO / "tools" / "remote_execution"), *binds, "--", "sh", "-c",
         'echo "$PYSTATIC_REMOTE_EXECUTOR $PYSTATIC_REMOTE_EXECUTION_DIR"; cat >/dev/null'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
    line = service.stdout.readline().split()
    if len(line) != 2:
        service.wait()
        pytest.fail(f"tools/remote_execution did not start the service:\n{log.read_text()[-4000:]}")
    try:
        yield Service(line[0], pathlib.Path(line[1]))
    finally:
        service.stdin.close()
        assert service.wait(timeout=120) == 0, log.read_text()[-4000:]
        # Every process it started was stopped (each names its state directory on its command line).
        left = subprocess.run(["pgrep", "-a", "-f", line[1]], capture_output=True, text=True).stdout
        assert not left, f"still running after tools/remote_execution ended:\n{left}"
        assert not pathlib.Path(line[1]).exists(), f"{line[1]} was not cleaned up"


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """The execution logs, kept after the output bases are deleted (pytest keeps its last 3 basetemps):
    their `inputBytes` are the upload sizes of docs/remote-execution.md."""
    return tmp_path_factory.mktemp("execution-logs")


def remote_flags(executor):
    return ["--config=remote", f"--remote_executor={executor.address}"]


def not_remote(spawns):
    """Spawns that did not run on the worker, or came from a cache: (mnemonic, runner, output)."""
    return [(s["mnemonic"], s.get("runner"), (s.get("listedOutputs") or ["?"])[0]) for s in spawns
            if s.get("runner") != "remote" or s.get("cacheHit")]


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_binaries_build_remotely_and_equal_the_local_ones(executor, bazel, fresh_bazel, logs, platform):
    flags = [*remote_flags(executor), f"--platforms=//platforms:{platform}"]
    local = {target: sha256(bazel.build_file(target, flags[-1])) for target in BINARIES}

    remote = fresh_bazel("remote")
    # The distribution from the disk cache (the same keys as the local build's), downloaded: the
    # remote binary phase's actions find it among their inputs and upload it to the service.
    with service_logs_on_failure(executor):
        seeded = remote.build_spawns(logs / f"distribution-{platform}.json", *flags, "--remote_download_all",
                                     DISTRIBUTION)
    assert not [s for s in ran(seeded) if s["mnemonic"] == "PyStaticCPython"], \
        "the distribution was rebuilt: its disk-cache keys differ from the remote build's"

    log = logs / f"binaries-{platform}.json"
    with service_logs_on_failure(executor):
        spawns = remote.build_spawns(log, *flags, "--disk_cache=", "--noremote_accept_cached", *BINARIES)
    mnemonics = {s["mnemonic"] for s in spawns}
    assert {"PyStaticBlob", "CppLink"} <= mnemonics, sorted(mnemonics)
    assert not_remote(spawns) == [], f"spawns that did not run remotely (log: {log})"
    for target in BINARIES:
        built = remote.output_file(target, flags[-1])
        assert sha256(built) == local[target], f"{target} ({platform}) differs from the local build"


def test_a_c_library_builds_remotely_from_scratch(executor, bazel, fresh_bazel, logs):
    musl = "--platforms=//platforms:linux_musl"
    bazel.run("build", musl, C_LIBRARY)
    local = bazel.execution_root() / bazel.run("cquery", musl, C_LIBRARY, "--output=files").stdout.split()[0]

    remote = fresh_bazel("zlib")
    with service_logs_on_failure(executor):
        spawns = remote.build_spawns(logs / "zlib.json", *remote_flags(executor), "--disk_cache=",
                                     "--noremote_accept_cached", musl, C_LIBRARY)
    # zlib's action and the zig runtime its links use (the toolchain's files: built once per target,
    # remotely too when nothing is cached).
    mnemonics = [s["mnemonic"] for s in spawns]
    assert mnemonics.count("PyStaticDep") == 1 and set(mnemonics) == {"PyStaticDep", "PyStaticZigRuntime"}, spawns
    assert not_remote(spawns) == []
    built = remote.execution_root() / remote.run("cquery", musl, C_LIBRARY, "--output=files").stdout.split()[0]
    files = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    assert pathlib.Path("lib/libz.a") in files, files
    assert files == sorted(p.relative_to(local) for p in local.rglob("*") if p.is_file())
    for name in files:
        assert sha256(built / name) == sha256(local / name), f"{name} differs from the local build"
