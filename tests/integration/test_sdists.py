"""C extensions built from their sdists by their own PEP 517 backend (docs/extensions.md), end to end.

//examples/sdists uses psutil and regex (built automatically: their extensions have no fallback), msgpack,
markupsafe, PyYAML (linking libyaml, a native library of sources.json), frozenlist (C++, Cython in C++ mode) and
cffi (its _cffi_backend compiled against the distribution's own libffi, whose objects the binary links once),
named in build_from_source; //examples/meson uses cysignals, built by its meson-python backend (meson and
ninja from the build lock, a cross file naming the target's zig toolchain), and Levenshtein (C++), built by its
scikit-build-core backend (cmake and ninja from the build lock, a CMake toolchain file naming the same toolchain).
Each binary runs alone in an empty read-only root (plus a fresh /proc for psutil's process list) on x86_64;
//tests/sdists:cross_backends, one package per backend and kind (PyYAML, frozenlist, cffi, cysignals,
Levenshtein), runs so under qemu as an aarch64 cross build.
"""

import json
import os
import shutil
import subprocess

import pytest

from harness import REPO

MUSL = "--platforms=//platforms:linux_musl"
AARCH64 = "--platforms=//platforms:linux_musl_aarch64"
BUILTINS = ["_cffi_backend", "frozenlist._frozenlist", "lz4._version", "lz4.block._block", "lz4.frame._frame",
            "markupsafe._speedups", "msgpack._cmsgpack", "psutil._psutil_linux", "regex._regex", "ujson", "yaml._yaml"]


def run_alone(bwrap, binary, tmp_path, runner=()):
    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    shutil.copy2(binary, root / "app")
    prefix = []
    if runner:
        shutil.copy2(runner[0], root / "qemu")
        prefix = ["/qemu"]
    cmd = [bwrap, "--ro-bind", str(root), "/", "--proc", "/proc", "--unshare-all", "--die-with-parent", "--clearenv",
           *prefix, "/app"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(root)) == sorted(["app", "proc"] + (["qemu"] if runner else []))
    return json.loads(result.stdout)


def check_report(report):
    assert report["machine"] == "x86_64", report
    assert report["builtins"] == BUILTINS, report
    psutil = report["psutil"]
    assert psutil["cpu_count"] >= 1 and psutil["pids"] >= 1 and psutil["memory"], psutil
    assert psutil["me"] == "running", psutil
    assert psutil["extension"] == "_psutil_linux"  # the built-in's own PyModuleDef name
    # The compiled Packer, not msgpack.fallback's.
    assert report["msgpack"] == {"packer": "msgpack._cmsgpack", "roundtrip": True}, report
    assert report["markupsafe"] == {"escape": "&lt;b&gt;&amp;&lt;/b&gt;", "inner": "markupsafe._speedups"}, report
    assert report["regex"] == {"match": "static", "extension": "_regex"}, report
    check_shared_reports(report)
    # ABI mode's dlopen(None) is the runtime's (the executable's handle), but its dlsym answers only the
    # export table's names (those embedded shared objects need): none of this binary's needs strlen.
    assert "undefined symbol strlen" in report["cffi"]["dlopen"]["error"], report["cffi"]
    # lz4 (its bundled liblz4) and ujson (C, with double-conversion's C++) name setuptools-scm, which
    # the ruleset's build lock has, and lz4 pkgconfig, which examples/sdists/build-requirements.txt
    # adds (pystatic.wheels(build_requirements)); their versions come from setuptools-scm reading PKG-INFO.
    assert report["lz4"] == {"roundtrip": True, "library": "1.9.4", "extension": "built-in"}, report
    assert report["ujson"] == {"dumps": '{"a":[1,2.5,null]}', "loads": {"b": [True, "x"]}, "origin": "built-in"}, report
    assert report["version"] == {"psutil": "7.2.2", "msgpack": "1.2.4", "lz4": "4.4.5", "ujson": "6.1.0"}


def check_shared_reports(report):
    """examples/sdists/sdist_reports.py's reports: PyYAML, frozenlist and cffi."""
    # libyaml's C parser and emitter (CLoader/CDumper), from the pinned libyaml 0.2.5.
    assert report["yaml"] == {"with_libyaml": True, "roundtrip": True, "loader": "yaml._yaml", "libyaml": "0.2.5"}, report
    # frozenlist's C++ extension: its FrozenList, from the built-in module (libc++ linked in).
    assert report["frozenlist"] == {"class": "frozenlist._frozenlist", "origin": "built-in", "items": [1, 2, 3],
                                    "frozen": True}, report
    # cffi's backend with the distribution's libffi: structs and arrays, and a libffi closure called through
    # ffi_call; dlopen(None) gives the executable's handle.
    cffi = report["cffi"]
    assert cffi["dlopen"]["opened"], cffi
    assert {k: v for k, v in cffi.items() if k != "dlopen"} == {
        "backend": "built-in", "version": True, "point": [3, 0.5, 16], "sum": 10, "callback": 42, "cast_callback": 2}, cffi


def test_sdist_extensions_are_builtins_in_an_empty_root(bazel, bwrap, tmp_path):
    binary = bazel.build_file("//examples/sdists", MUSL)
    check_report(run_alone(bwrap, binary, tmp_path))
    log = next((binary.parents[2] / "external").glob("*pypi_sdists/psutil_x86_64/sdist.log"), None)
    if log:  # a local build keeps it; a disk-cache hit may not download it
        assert "setuptools.build_meta" in log.read_text()


def test_cffi_links_the_distributions_libffi_without_a_copy_of_its_own(bazel):
    """_cffi_backend's archive refers to libffi's functions but defines none: the binary's one libffi serves it."""
    bazel.run("build", "@pypi_sdists//:cffi_x86_64", "--output_groups=+sdist_log", MUSL)
    out = bazel.execution_root() / bazel.run("cquery", "@pypi_sdists//:cffi_x86_64", MUSL, "--output=files").stdout.split()[0]
    log = (out.parent / "sdist.log").read_text()
    assert "# distribution library libffi (-lffi, linked by the binary, not copied)" in log, log[-3000:]
    assert "left to the binary's link: _cffi_backend: -lffi" in log, log[-3000:]
    assert "-I" + log.split("# distribution library libffi (-lffi, linked by the binary, not copied): ")[1].split("\n")[0] in log
    archive = out.parent / "libcffi_builtins.a"
    if archive.exists():  # an input of the binary's link: downloaded when that link ran here
        symbols = subprocess.run(["nm", str(archive)], capture_output=True, text=True).stdout.split("\n")
        assert any(line.split()[-2:] == ["U", "ffi_call"] for line in symbols if line.strip())
        assert not any(line.split()[-1:] == ["ffi_call"] and " T " in line for line in symbols)


def test_sdist_binary_sbom_lists_libyaml_and_the_cxx_runtime(bazel):
    """The native library PyYAML links and frozenlist's C++ runtime are SBOM components of their own."""
    binary = bazel.build_file("//examples/sdists", MUSL)
    doc = json.loads(binary.with_name(binary.name + ".spdx.json").read_text())
    packages = {p["name"]: p for p in doc["packages"]}
    native = json.loads((REPO / "distribution" / "toolchains" / "cpython" / "sources.json").read_text())["native"]["libyaml"]
    yaml = packages["libyaml"]
    assert yaml["versionInfo"] == native["version"] and yaml["licenseDeclared"] == native["license"]
    assert yaml["checksums"] == [{"algorithm": "SHA256", "checksumValue": native["archives"][0]["sha256"]}]
    zig = (REPO / "distribution" / "toolchains" / "zig" / "versions.bzl").read_text()
    for name in ("libc++", "libc++abi", "libunwind"):
        assert packages[name]["licenseDeclared"] == "Apache-2.0 WITH LLVM-exception"
        assert packages[name]["versionInfo"] and f'ZIG_LIBCXX_VERSION = "{packages[name]["versionInfo"]}"' in zig
        assert packages[name]["checksums"][0]["checksumValue"] in zig  # the pinned ziglang wheel
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    assert (packages["PyYAML"]["SPDXID"], "DEPENDS_ON", yaml["SPDXID"]) in relations
    assert (packages["frozenlist"]["SPDXID"], "DEPENDS_ON", packages["libc++"]["SPDXID"]) in relations
    # cffi's libffi is the distribution's: listed once, as it was before cffi came.
    assert "cffi" in packages and "libffi" in packages


MESON_BUILTINS = ["Levenshtein.levenshtein_cpp", "cysignals.alarm", "cysignals.pselect", "cysignals.pysignals",
                  "cysignals.signals", "cysignals.tests"]


def check_backend_reports(report):
    """examples/meson/backend_reports.py's reports: cysignals and Levenshtein."""
    # cysignals' C signal handler turned SIGALRM into its Python exception inside a busy loop.
    assert report["alarm"]["caught"] == "AlarmInterrupt", report
    # Levenshtein's own C++ extension (CMake-built, libc++ linked in) answers median/quickmedian: the built-in.
    assert report["levenshtein"] == {"module": "Levenshtein.levenshtein_cpp", "origin": "built-in", "median": "Spam",
                                     "quickmedian": "Spam", "distance": 3}, report


def check_meson_report(report):
    assert report["machine"] == "x86_64", report
    assert report["builtins"] == MESON_BUILTINS, report
    check_backend_reports(report)
    assert report["same_exception"] and report["sigint_handler_is_c"], report


def test_meson_python_and_scikit_build_core_extensions_are_builtins_in_an_empty_root(bazel, bwrap, tmp_path):
    binary = bazel.build_file("//examples/meson", MUSL)
    check_meson_report(run_alone(bwrap, binary, tmp_path))
    log = next((binary.parents[2] / "external").glob("*pypi_meson/cysignals_x86_64/sdist.log"), None)
    if log:  # a local build keeps it; a disk-cache hit may not download it
        text = log.read_text()
        assert "backend mesonpy" in text and "Build type: cross build" in text
    log = next((binary.parents[2] / "external").glob("*pypi_meson/levenshtein_x86_64/sdist.log"), None)
    if log:
        text = log.read_text()
        assert "backend scikit_build_core.build" in text and "CMAKE_TOOLCHAIN_FILE" in text, text[-2000:]


def test_aarch64_cross_build_of_each_backend_runs_under_qemu(bazel, bwrap, qemu_aarch64, tmp_path):
    """tests/sdists:cross_backends: setuptools (C with libyaml, C++, cffi with libffi), meson-python and
    scikit-build-core (C++), each package cross-built from its sdist for aarch64, in one binary."""
    binary = bazel.build_file("//tests/sdists:cross_backends", AARCH64)
    report = run_alone(bwrap, binary, tmp_path, runner=[qemu_aarch64])
    assert report["machine"] == "aarch64", report
    assert report["builtins"] == sorted(["_cffi_backend", "frozenlist._frozenlist", "yaml._yaml", *MESON_BUILTINS]), report
    check_shared_reports(report)
    check_backend_reports(report)
