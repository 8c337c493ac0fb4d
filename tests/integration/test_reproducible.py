"""Reproducible and remote-cacheable: the proofs that need clean builds (docs/proofs.md); at the end,
the Windows distribution and binaries built again in the clean build's checkout.

This checkout's build of the CPython distributions, 3.13 and 3.13t (their C libraries, CPython, the
stdlib), the cli binary (also linked through BOLT) and the free-threaded examples/threads, as the session's output base has it
(run here, or served by the disk cache from an earlier execution in whatever checkout made it),
against a clean build (no disk cache, an empty output base, so every action runs) in a copy of the
checkout at another path: byte-identical. The clean build
uploads to an HTTP remote cache (nginx with WebDAV PUT, started here), and a third, fresh output base
in this checkout then gets every action from it. One clean build: 7 min on 2 cores (2026-12-01, idle).
"""

import hashlib
import os
import shutil
import socket
import subprocess
import time

import pytest

from harness import REPO, copy_checkout, executed, output_bases
from test_windows import PLATFORM as WINDOWS

MUSL = "--platforms=//platforms:linux_musl"
DIST = "//toolchains/cpython:cpython_3_13"
DIST_T = "//toolchains/cpython:cpython_3_13t"
CLI = "//examples/cli"
THREADS = "//examples/threads:threads"
# The cli linked through BOLT (bolt = "on"): llvm-bolt writes its own command line into the binary.
CLI_BOLT = "//tests/binary:cli_bolt"
NO_DISK_CACHE = "--disk_cache="
# What the clean build must have run: zig's runtime, the C libraries, CPython, the stdlib, the app,
# the C runtime's and glue's compiles, the link and BOLT's (x86_64's clean C toolchain proof: test_toolchains.py).
CLEAN_BUILD_RUNS = ("PyStaticZigRuntime", "PyStaticDep", "PyStaticCPython", "PyStaticStdlib", "PyStaticBytecode",
                    "PyStaticBlob", "CppCompile", "CppLink", "PyStaticBolt")
# The binaries compared, each with its outputs beside the executable: licence report and SBOMs,
# and the intermediates (resource blobs, generated C glue, the app's import list). The default
# build with the cli, the free-threaded one (3.13t) with examples/threads.
BINARIES = {
    CLI: ("", ".licenses.json", ".spdx.json", ".cdx.json", ".blob", ".blob.json", ".app.blob", ".app.imports.json",
          ".glue.c"),
    THREADS: ("", ".licenses.json", ".spdx.json", ".blob", ".glue.c"),
    CLI_BOLT: ("", ".bolt.json"),
}
BUILT = (DIST, DIST_T, *BINARIES)


def _digests(bazel, *flags):
    """sha256 of every file of both distributions (tree and descriptor) and of the binaries' outputs."""
    digests = {}
    for dist in (DIST, DIST_T):
        for path in bazel.run("cquery", dist, MUSL, *flags, "--output=files").stdout.split():
            path = (bazel.execution_root() / path).resolve()
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for file in files:
                digests[f"dist/{file.relative_to(path.parent)}"] = hashlib.sha256(file.read_bytes()).hexdigest()
    for target, suffixes in BINARIES.items():
        binary = bazel.output_file(target, MUSL, *flags)
        for suffix in suffixes:
            name = binary.name + suffix
            digests[f"{binary.name}/{name}"] = hashlib.sha256(binary.with_name(name).read_bytes()).hexdigest()
    return digests


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NGINX_CONF = """\
daemon off;
{user}
worker_processes 2;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {d}/store;
        client_max_body_size 0;
        log_not_found off;
        location / {{
            dav_methods PUT;
            create_full_put_path on;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def http_cache(tmp_path_factory):
    """An HTTP remote cache (Bazel's protocol: GET and PUT of /ac/<sha256> and /cas/<sha256>):
    nginx serving a temporary directory, with WebDAV PUT. Yields (url, store directory)."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        pytest.skip("nginx is needed for the HTTP remote cache test: apt-get install nginx")
    d = tmp_path_factory.mktemp("http-cache")
    (d / "tmp").mkdir()
    (d / "store").mkdir()
    port = _free_port()
    # As root, workers would switch to an unprivileged user that cannot write the store.
    user = "user root;" if os.geteuid() == 0 else ""
    (d / "nginx.conf").write_text(NGINX_CONF.format(d=d, port=port, user=user))
    process = subprocess.Popen([nginx, "-p", str(d), "-c", str(d / "nginx.conf"), "-e", str(d / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}\n{(d / 'error.log').read_text()}")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", d / "store"
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def bazels(tmp_path_factory):
    """Bazels with their own output bases (module scope: the clean builds are shared)."""
    with output_bases(tmp_path_factory.mktemp("output-bases")) as make:
        yield make


@pytest.fixture(scope="module")
def other_checkout(tmp_path_factory):
    """A copy of this working tree at another path (a longer one: a path that leaks into an output
    shifts bytes, not only characters)."""
    return copy_checkout(tmp_path_factory.mktemp("pystatic-repro") / "another" / "checkout")


@pytest.fixture(scope="module")
def clean_builds(bazel, bazels, other_checkout, http_cache, tmp_path_factory):
    """This checkout's build of BUILT (every output on disk, whether it ran here or came from the
    disk cache) and a build from scratch in the other checkout, which uploads
    every result to the empty HTTP cache. Returns both builds' digests."""
    url, _ = http_cache
    # Every intermediate file is compared, so each must be on disk even when it came from the cache.
    bazel.run("build", *BUILT, MUSL, "--remote_download_all")
    first = _digests(bazel)
    clean = bazels("clean", other_checkout)
    spawns = clean.build_spawns(tmp_path_factory.mktemp("clean-log") / "exec.json", *BUILT, MUSL, NO_DISK_CACHE,
                                f"--remote_cache={url}")
    # Nothing may come from a cache: a shared one would compare a result with itself.
    assert [s for s in spawns if s.get("cacheHit")] == []
    assert set(CLEAN_BUILD_RUNS) <= {mnemonic for mnemonic, _, _ in executed(spawns)}
    return first, _digests(clean, NO_DISK_CACHE)


def test_clean_builds_in_two_checkouts_and_output_bases_are_byte_identical(clean_builds, other_checkout):
    first, second = clean_builds
    assert str(other_checkout) != str(REPO) and len(str(other_checkout)) != len(str(REPO))
    assert {name.split("/")[1] for name in first if name.startswith("dist/")} >= {"cpython_3_13_dist", "cpython_3_13t_dist"}
    assert "cli/cli" in first and "threads/threads" in first
    assert first.keys() == second.keys()
    differing = sorted(name for name in first if first[name] != second[name])
    assert differing == [], f"{len(differing)} of {len(first)} files differ, e.g. {differing[:10]}"


def test_a_fresh_output_base_gets_every_action_from_the_http_remote_cache(clean_builds, http_cache, bazels,
                                                                          other_checkout, tmp_path):
    url, store = http_cache
    assert len(list((store / "ac").iterdir())) > 0 and len(list((store / "cas").iterdir())) > 0
    # The clean build's path was the other checkout: this one's path, and everything downloaded.
    third = bazels("third", REPO)
    spawns = third.build_spawns(tmp_path / "exec.json", *BUILT, MUSL, NO_DISK_CACHE, f"--remote_cache={url}",
                                "--remote_download_all")
    assert executed(spawns) == [], "actions ran instead of coming from the remote cache"
    assert {s["runner"] for s in spawns} == {"remote cache hit"}
    assert set(CLEAN_BUILD_RUNS) <= {s["mnemonic"] for s in spawns}
    assert _digests(third, NO_DISK_CACHE) == clean_builds[1]


# Windows (issue 30; docs/windows.md): the static CPython for Windows (its action run again, from the
# same C libraries) and binaries linked from it, built again in the clean build's checkout and output
# base (its repositories and the Linux python3.13 that freezes Windows' modules are there already)
# with the disk cache, the steps chosen by mnemonic made uncacheable. The C libraries
# (PyStaticDepWindows, 10 min on 2 cores) come from the disk cache: their determinism was checked by
# hand with them in the list (docs/windows.md, Reproducible); the CI budget has no room for OpenSSL.
WINDOWS_DIST = "//toolchains/cpython:cpython_3_13_windows"
WINDOWS_BINARIES = ["//examples/cli", "//examples/python"]
WINDOWS_RUN_AGAIN = ["PyStaticCPythonWindows", "PyStaticMergeArchives", "PyStaticStdlib", "PyStaticEnsurepip",
                     "PyStaticBytecode", "PyStaticBlob", "PyStaticGlue", "CppCompile", "CppLink"]
# An executable's outputs compared besides the .exe: the blob, the C glue, the licences.
WINDOWS_SUFFIXES = (".blob", ".glue.c", ".licenses.json")


def _windows_digests(bazel):
    """sha256 of every file of the Windows distribution (tree, python.exe, descriptor) and of the binaries' outputs."""
    digests = {}
    for target in [WINDOWS_DIST, *WINDOWS_BINARIES]:
        for path in bazel.run("cquery", target, WINDOWS, "--output=files").stdout.split():
            path = (bazel.execution_root() / path).resolve()
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            if path.suffix == ".exe" and target in WINDOWS_BINARIES:
                files += [path.with_name(path.stem + suffix) for suffix in WINDOWS_SUFFIXES]
            for file in files:
                digests[str(file.relative_to(path.parent))] = hashlib.sha256(file.read_bytes()).hexdigest()
    return digests


def test_the_windows_distribution_and_binaries_build_byte_identical_elsewhere(clean_builds, bazel, bazels, other_checkout,
                                                                              tmp_path):
    bazel.run("build", WINDOWS_DIST, *WINDOWS_BINARIES, WINDOWS, "--remote_download_all")
    first = _windows_digests(bazel)
    again = bazels("clean", other_checkout)
    flag = "--modify_execution_info=" + ",".join(f"{m}=+no-cache" for m in WINDOWS_RUN_AGAIN)
    spawns = again.build_spawns(tmp_path / "exec.json", WINDOWS_DIST, *WINDOWS_BINARIES, WINDOWS, flag, "--remote_download_all")
    assert {"PyStaticCPythonWindows", "PyStaticBlob", "CppLink"} <= {mnemonic for mnemonic, _, _ in executed(spawns)}
    second = _windows_digests(again)
    assert any(name.endswith("python.exe") for name in first) and any(name.endswith("cli.exe") for name in first)
    assert first.keys() == second.keys()
    differing = sorted(name for name in first if first[name] != second[name])
    assert differing == [], f"{len(differing)} of {len(first)} files differ, e.g. {differing[:10]}"
