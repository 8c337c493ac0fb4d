"""The in-memory ELF loader (runtime/native_*.c) against synthetic shared libraries built by zig,
on x86_64 natively and on aarch64 under qemu-aarch64-static -cpu neoverse-n1 (no Bazel: build.py).

Each case runs `harness CASE` in its own process twice: with the embedded images given as the
bundle's fd + offset (file-backed mappings) and as heap copies only (anonymous copies).
"""

import importlib.util
import os
import platform
import shutil
import subprocess

import pytest
import zig_static

# build.py by path: a module named "build" may also be installed (PyPA build).
_spec = importlib.util.spec_from_file_location("native_loader_build", os.path.join(os.path.dirname(__file__), "build.py"))
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

ZIG = os.environ.get("PYSTATIC_ZIG")
QEMU = shutil.which("qemu-aarch64-static")
HOST = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(platform.machine().lower())
MODES = ["fd", "memory"]
CASES = ["basic", "global", "relr", "ifunc", "hash", "cycle", "rpath", "errors", "tls", "cxx", "concurrent", "fork", "iterate", "files", "tbss"]

pytestmark = pytest.mark.skipif(not ZIG, reason="set PYSTATIC_ZIG to a zig 0.17 binary to build the loader's tests")


def runner(arch):
    if arch == HOST:
        return []
    if arch == "aarch64" and QEMU:
        return [QEMU, "-cpu", "neoverse-n1"]  # -cpu max picks kernels qemu computes wrongly
    pytest.skip("cannot run %s binaries here (no qemu-aarch64-static)" % arch)


@pytest.fixture(scope="session", params=["x86_64", "aarch64"])
def built(request, tmp_path_factory):
    arch = request.param
    prefix = runner(arch)
    out = str(tmp_path_factory.mktemp("native-" + arch))
    build.build(ZIG, arch, out, env=zig_static.zig_env(), static_cc=zig_static.static_cc(ZIG, arch),
                cxx_runtime=zig_static.cxx_runtime(arch))
    return arch, out, prefix


def run(built, mode, *args, env=None, timeout=120):
    _, out, prefix = built
    environment = dict(os.environ, NL_BUNDLE=os.path.join(out, "bundle.bin"),
                       NL_INDEX=os.path.join(out, "bundle.idx"), NL_MODE=mode)
    environment.pop("PYSTATIC_TRACE_NATIVE", None)
    environment.update(env or {})
    result = subprocess.run(prefix + [os.path.join(out, "harness")] + list(args), env=environment,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode >= 0, "killed by signal %d\n%s%s" % (-result.returncode, result.stdout, result.stderr)
    return result


def assert_ok(result, case):
    assert result.returncode == 0 and ("ok %s" % case) in result.stdout.splitlines(), result.stdout + result.stderr


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES)
def test_case(built, case, mode):
    assert_ok(run(built, mode, case), case)


@pytest.mark.parametrize("mode", MODES)
def test_errors_name_the_file_and_the_reason(built, mode):
    out = run(built, mode, "errors").stdout
    assert "error: /embedded/pkg/missing_sym.so: undefined symbol no_such_function" in out
    assert "error: /embedded/pkg/missing_needed.so: needed library libgone.so not found" in out
    assert "unknown relocation type 200" in out
    assert ("R_X86_64_TPOFF64" if built[0] == "x86_64" else "R_AARCH64_TLS_TPREL64") in out


@pytest.mark.parametrize("mode", MODES)
def test_initializers_and_finalizers_in_dependency_order(built, mode):
    result = run(built, mode, "init")
    lines = [line for line in result.stdout.splitlines() if line.startswith(("log:", "ok"))]
    assert lines == ["log: init_dep argc=2 argv0=set env=1", "log: init_top", "log: opened", "ok init",
                     "log: fini_top", "log: fini_dep"], result.stdout


@pytest.mark.parametrize("mode", MODES)
def test_load_from_disk(built, mode):
    _, out, _ = built
    assert_ok(run(built, mode, "disk", os.path.join(out, "disk", "libdisk.so")), "disk")


@pytest.mark.parametrize("mode", MODES)
def test_memory_deny_write_execute(built, mode):
    result = run(built, mode, "mdwe")
    if "skip: PR_SET_MDWE" in result.stdout:
        if built[2]:  # qemu-user does not implement PR_SET_MDWE: nothing to prove under emulation
            return
        pytest.skip("the kernel (or qemu-user) has no PR_SET_MDWE: " + result.stdout.strip())
    assert_ok(result, "mdwe")
    if mode == "memory":
        assert "refuses executable copies" in result.stdout


# fuzz.so: GNU hash only; relr.so: DT_RELR, both hash tables; tls*.so: PT_TLS, TLS relocations.
@pytest.mark.parametrize("library,mode", [("fuzz", "memory"), ("fuzz", "fd"), ("relr", "memory"),
                                          ("sysvhash", "memory"), ("tls", "fd"), ("tls_desc", "memory")])
def test_damaged_images_give_errors_not_crashes(built, library, mode):
    _, out, _ = built
    path = os.path.join(out, "tree", "pkg", library + ".so")
    result = run(built, mode, "fuzz", path, "20261205", "300", timeout=900)
    assert_ok(result, "fuzz")
    assert " 0 crashed" in result.stdout
    refused = int(result.stdout.split("fuzz: ")[1].split(" refused")[0])
    assert refused > 50, result.stdout  # the damage is real: most copies are refused


@pytest.mark.parametrize("mode", MODES)
def test_trace(built, mode):
    result = run(built, mode, "errors", env={"PYSTATIC_TRACE_NATIVE": "1"})
    kind = "file-backed" if mode == "fd" else "copied"
    assert "pystatic native: loaded /embedded/pkg/basic.so (%s, " % kind in result.stderr
    assert " relocations, " in result.stderr and " us)" in result.stderr
    assert "pystatic native: lookup failed: no_such_function" in result.stderr
    assert "pystatic native:" not in run(built, mode, "basic").stderr
