"""sdist/cxx_runtime.py: zig's C++ runtime archives are found, and still exist after the probe's zig exits."""

import pathlib
import stat

import pytest

from pystatic.packages.sdist.cxx_runtime import CXX_RUNTIME, cxx_runtime_archives
from pystatic.packages.sdist.errors import BuildError

# A cc that behaves as the toolchain's wrapper does: without ZIG_GLOBAL_CACHE_DIR it makes its own cache
# and deletes it when it exits; the link's -v output names the runtime archives built in the cache.
FAKE_CC = """#!/bin/sh
own=
if [ -z "${ZIG_GLOBAL_CACHE_DIR:-}" ]; then own=$(mktemp -d); ZIG_GLOBAL_CACHE_DIR=$own; fi
mkdir -p "$ZIG_GLOBAL_CACHE_DIR/o/1"
line="ld.lld -o probe crt1.o probe.o"
# zig names a cache below its working directory relatively, as zig-cache/o/... does
case "$ZIG_GLOBAL_CACHE_DIR" in "$PWD"/*) shown=${ZIG_GLOBAL_CACHE_DIR#"$PWD"/} ;; *) shown=$ZIG_GLOBAL_CACHE_DIR ;; esac
for a in %s; do : > "$ZIG_GLOBAL_CACHE_DIR/o/1/$a"; line="$line $shown/o/1/$a"; done
echo "$line" >&2
: > probe
[ -z "$own" ] || rm -rf "$own"
"""


def _cc(tmp_path, archives):
    cc = tmp_path / "cc"
    cc.write_text(FAKE_CC % " ".join(archives))
    cc.chmod(cc.stat().st_mode | stat.S_IXUSR)
    return str(cc)


def test_archives_outlive_the_probe(tmp_path, monkeypatch):
    monkeypatch.delenv("ZIG_GLOBAL_CACHE_DIR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    found = cxx_runtime_archives(_cc(tmp_path, CXX_RUNTIME), [], work)
    assert [pathlib.Path(p).name for p in found] == list(CXX_RUNTIME)
    for path in found:
        assert pathlib.Path(path).is_file()
        assert pathlib.Path(path).is_relative_to(work)


def test_missing_archive_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.delenv("ZIG_GLOBAL_CACHE_DIR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(BuildError, match=r"named no libunwind\.a"):
        cxx_runtime_archives(_cc(tmp_path, ["libc++abi.a", "libc++.a"]), [], work)


def test_prebuilt_archives_are_used_in_link_order_and_no_probe_runs(tmp_path):
    prebuilt = [str(tmp_path / n) for n in ("libunwind.a", "libc++.a", "libc++abi.a")]
    work = tmp_path / "work"
    work.mkdir()
    # The compiler does not exist: using it would fail.
    found = cxx_runtime_archives(str(tmp_path / "no-cc"), [], work, prebuilt)
    assert [pathlib.Path(p).name for p in found] == list(CXX_RUNTIME)
    assert not (work / "cxx-probe").exists()
    with pytest.raises(BuildError, match=r"names no libunwind\.a"):
        cxx_runtime_archives(str(tmp_path / "no-cc"), [], work, prebuilt[1:])
