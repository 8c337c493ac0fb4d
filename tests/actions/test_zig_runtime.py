import pathlib
import stat

import pytest

from pystatic.common import zig_env
from pystatic.distribution import zig_runtime

NAMES = ["crt1.o", "libc.a", "libcompiler_rt.a", "libubsan_rt.a", "libzigc.a"]

# What `zig cc -v` printed for a static x86_64 link (zig 0.17.1): a relocatable link of crt1.o, then the final one.
VERBOSE = """\
ld.lld -r --error-limit=0 -mllvm -float-abi=hard -O3 --build-id=none -m elf_x86_64 -static -o cache/o/cc/crt1.o cache/o/3f/crt1.o
ld.lld --error-limit=0 -mllvm -float-abi=hard -O3 --entry _start -z stack-size=16777216 --build-id=none \
--image-base=16777216 --gc-sections --eh-frame-hdr -znow -m elf_x86_64 -static -no-pie -o probe cache/o/cc/crt1.o \
cache/o/dd/probe.o cache/o/86/libubsan_rt.a --as-needed -L/ cache/o/f7/libc.a cache/o/76/libzigc.a \
cache/o/53/libcompiler_rt.a
"""


def test_the_final_links_inputs_are_read_from_zigs_verbose_output():
    assert zig_runtime.linker_inputs(VERBOSE) == [
        "cache/o/cc/crt1.o", "cache/o/dd/probe.o", "cache/o/86/libubsan_rt.a", "cache/o/f7/libc.a", "cache/o/76/libzigc.a",
        "cache/o/53/libcompiler_rt.a"]
    assert zig_runtime.linker_inputs("no linker line\n") == []


def test_the_runtime_files_are_picked_by_name_and_a_missing_one_is_named():
    found = zig_runtime.pick_runtime(zig_runtime.linker_inputs(VERBOSE), NAMES)
    assert found == {"crt1.o": "cache/o/cc/crt1.o", "libc.a": "cache/o/f7/libc.a", "libubsan_rt.a": "cache/o/86/libubsan_rt.a",
                     "libzigc.a": "cache/o/76/libzigc.a", "libcompiler_rt.a": "cache/o/53/libcompiler_rt.a"}
    with pytest.raises(ValueError, match="libunwind.a"):
        zig_runtime.pick_runtime(zig_runtime.linker_inputs(VERBOSE), NAMES + ["libunwind.a"])
    # A file zig links that the wrapper would not (a new zig's crti.o): an error, not dropped.
    with pytest.raises(ValueError, match="crti.o"):
        zig_runtime.pick_runtime(zig_runtime.linker_inputs(VERBOSE) + ["cache/o/9/crti.o"], NAMES)


FAKE_ZIG = """#!/bin/sh
# Writes the runtime files into its cache ($ZIG_GLOBAL_CACHE_DIR, relative to the working directory)
# and prints a linker line as zig cc -v does; records its environment, directory and arguments.
set -eu
for f in cc/crt1.o 86/libubsan_rt.a f7/libc.a 76/libzigc.a 53/libcompiler_rt.a; do
    mkdir -p "$ZIG_GLOBAL_CACHE_DIR/o/$(dirname $f)"
    echo "$f built with lib $ZIG_LIB_DIR" > "$ZIG_GLOBAL_CACHE_DIR/o/$f"
done
env > "{record}"
pwd >> "{record}"
echo "$@" >> "{record}"
cat >&2 <<'END'
{verbose}END
"""


def test_main_copies_what_zig_linked_from_a_private_cache_with_relative_paths(tmp_path, monkeypatch):
    record = tmp_path / "record.txt"
    zig = tmp_path / "zig"
    zig.write_text(FAKE_ZIG.format(verbose=VERBOSE, record=record))
    zig.chmod(zig.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "lib").mkdir()
    monkeypatch.chdir(tmp_path)
    outputs = [f"out/runtime/x86_64-linux-musl/{n}" for n in NAMES]
    (tmp_path / "out/runtime/x86_64-linux-musl").mkdir(parents=True)
    argv = ["--zig", str(zig), "--lib", "lib", "--target", "x86_64-linux-musl"] + [a for o in outputs for a in ("--output", o)]
    assert zig_runtime.main(argv) == 0
    for name in NAMES:
        text = (tmp_path / "out/runtime/x86_64-linux-musl" / name).read_text()
        assert text.endswith("built with lib zig-lib\n"), text
    env = record.read_text()
    assert "ZIG_GLOBAL_CACHE_DIR=cache\n" in env and "ZIG_LOCAL_CACHE_DIR=cache\n" in env and "ZIG_LIB_DIR=zig-lib\n" in env
    assert "cc -target x86_64-linux-musl -static -O2 -fsanitize=undefined probe.c -o probe -v" in env
    workdir = [line for line in env.splitlines() if line.startswith("/")][-1]
    assert not pathlib.Path(workdir).exists(), "the scratch directory is removed"


def test_main_names_the_target_and_the_fix_when_zig_links_other_files(tmp_path, monkeypatch, capsys):
    zig = tmp_path / "zig"
    zig.write_text("#!/bin/sh\necho 'ld.lld -o probe cache/o/1/crt1.o cache/o/2/libc.a' >&2\n")
    zig.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    argv = ["--zig", str(zig), "--lib", str(tmp_path), "--target", "aarch64-linux-musl"] + \
        [a for n in NAMES for a in ("--output", f"out/{n}")]
    assert zig_runtime.main(argv) == 1
    err = capsys.readouterr().err
    assert "aarch64-linux-musl" in err and "libzigc.a" in err and "ZIG_RUNTIME_FILES" in err


def test_the_runtime_env_is_made_absolute_and_keeps_only_the_runtime_variables(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"PYSTATIC_ZIG_RUNTIME_x86_64_linux_musl": "bazel-out/k8/bin/rt", "PATH": "/bin",
           "PYSTATIC_ZIG_RUNTIME_aarch64_linux_musl": ""}
    assert zig_env.zig_runtime_env(env) == {"PYSTATIC_ZIG_RUNTIME_x86_64_linux_musl": str(tmp_path / "bazel-out/k8/bin/rt")}


# What `zig cc -v` printed for the C++ probe's static link (zig 0.17.1): the C runtime's files as well.
CXX_VERBOSE = """\
ld.lld --error-limit=0 -mllvm -float-abi=hard -O3 --entry _start -z stack-size=16777216 --build-id=none \
--image-base=16777216 --gc-sections --eh-frame-hdr -znow -m elf_x86_64 -static -no-pie -o probe cache/o/18/crt1.o \
cache/o/90/probe.o --as-needed -L/ cache/o/f9/libc++abi.a cache/o/1c/libc++.a cache/o/65/libunwind.a cache/o/fc/libc.a \
cache/o/76/libzigc.a cache/o/53/libcompiler_rt.a
"""


def test_cxx_mode_links_a_throwing_probe_with_lcxx_and_copies_only_the_cxx_runtime(tmp_path, monkeypatch):
    names = ["libc++abi.a", "libc++.a", "libunwind.a"]
    record = tmp_path / "record.txt"
    zig = tmp_path / "zig"
    zig.write_text(FAKE_ZIG.replace("cc/crt1.o 86/libubsan_rt.a f7/libc.a 76/libzigc.a 53/libcompiler_rt.a",
                                    "18/crt1.o f9/libc++abi.a 1c/libc++.a 65/libunwind.a fc/libc.a 76/libzigc.a 53/libcompiler_rt.a")
                   .format(verbose=CXX_VERBOSE, record=record))
    zig.chmod(0o755)
    (tmp_path / "lib").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    argv = ["--zig", str(zig), "--lib", "lib", "--target", "x86_64-linux-musl", "--cxx"] + \
        [a for n in names for a in ("--output", f"out/{n}")] + [a for n in NAMES for a in ("--also_linked", n)]
    assert zig_runtime.main(argv) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(names)
    assert "cc -target x86_64-linux-musl -static -O2 -lc++ probe.cpp -o probe -v" in record.read_text()
    # The C runtime's files are the other action's: a C++ name missing is still an error.
    with pytest.raises(ValueError, match="libunwind.a"):
        zig_runtime.pick_runtime(zig_runtime.linker_inputs(CXX_VERBOSE.replace("libunwind", "libother")), names, NAMES)
    # Without the C runtime's names, zig's other files are an error, as for the C runtime action.
    with pytest.raises(ValueError, match="libc.a"):
        zig_runtime.pick_runtime(zig_runtime.linker_inputs(CXX_VERBOSE), names)


# What `zig cc -v` printed for the static x86_64-windows-gnu probe (zig 0.17.1, shortened: two of the
# UCRT's import libraries). lld-link's options are all `-NAME[:value]`; the rest are its inputs.
WINDOWS_VERBOSE = """\
lld-link -lldmingw -ERRORLIMIT:0 -NOLOGO -DEBUG -PDB:probe.pdb -MACHINE:X64 -BREPRO -OUT:probe.exe \
-IMPLIB:./probe.lib cache/o/c9/probe.obj -ALTERNATENAME:__image_base__=__ImageBase cache/o/{crt}/crt2.obj \
cache/o/ea/libmingw32.lib cache/o/1c/zigc.lib cache/o/62/ubsan_rt.lib cache/o/71/compiler_rt.lib \
cache/o/8d/api-ms-win-crt-conio-l1-1-0.lib cache/o/a7/kernel32.lib
"""
WINDOWS_NAMES = ["crt2.obj", "libmingw32.lib", "zigc.lib", "ubsan_rt.lib", "compiler_rt.lib",
                 "api-ms-win-crt-conio-l1-1-0.lib", "kernel32.lib"]

# A fake zig for windows-gnu: a -municode link's crt2.obj is another file (mingw-w64's wmain start-up).
FAKE_WINDOWS_ZIG = """#!/bin/sh
set -eu
if [ "$1" = ar ]; then  # `ar t`: the archive's members; `ar d`: recorded
    [ "$2" = t ] && printf 'cache/o/ea/crtexewin.obj\\ncache/o/ea/ucrtexewin.obj\\ncache/o/ea/{kept}.obj\\n' || echo "$@" >> "{record}"
    exit 0
fi
crt=69
case " $* " in *" -municode "*) crt=de ;; esac
for f in $crt/crt2.obj ea/libmingw32.lib 1c/zigc.lib 62/ubsan_rt.lib 71/compiler_rt.lib 8d/api-ms-win-crt-conio-l1-1-0.lib a7/kernel32.lib; do
    mkdir -p "$ZIG_GLOBAL_CACHE_DIR/o/$(dirname $f)"
    echo "$f" > "$ZIG_GLOBAL_CACHE_DIR/o/$f"
done
echo "$@" >> "{record}"
cat >&2 <<END
{verbose}END
"""


def _run_windows(tmp_path, monkeypatch, zig_text):
    """zig_runtime.main for x86_64-windows-gnu with a fake zig of `zig_text`; its exit status."""
    zig = tmp_path / "zig"
    zig.write_text(zig_text)
    zig.chmod(0o755)
    (tmp_path / "lib").mkdir()
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    names = WINDOWS_NAMES + ["crt2u.obj"]
    argv = ["--zig", str(zig), "--lib", "lib", "--target", "x86_64-windows-gnu", "--wide_entry_output", "crt2u.obj"] + \
        [a for n in names for a in ("--output", f"out/{n}")]
    return zig_runtime.main(argv)


def test_windows_mode_reads_lld_link_and_takes_the_wmain_start_up_object_from_a_second_probe(tmp_path, monkeypatch):
    assert zig_runtime.linker_inputs(WINDOWS_VERBOSE.format(crt="69"))[:3] == [
        "cache/o/c9/probe.obj", "cache/o/69/crt2.obj", "cache/o/ea/libmingw32.lib"]
    record = tmp_path / "record.txt"
    text = FAKE_WINDOWS_ZIG.format(verbose=WINDOWS_VERBOSE.format(crt="$crt"), record=record, kept="mingw_helpers")
    assert _run_windows(tmp_path, monkeypatch, text) == 0
    assert (tmp_path / "out/crt2.obj").read_text() == "69/crt2.obj\n"
    assert (tmp_path / "out/crt2u.obj").read_text() == "de/crt2.obj\n"
    assert (tmp_path / "out/kernel32.lib").read_text() == "a7/kernel32.lib\n"
    calls = record.read_text().splitlines()
    assert calls == ["cc -target x86_64-windows-gnu -static -O2 -fsanitize=undefined probe.c -o probe -v",
                     "cc -target x86_64-windows-gnu -static -O2 -fsanitize=undefined -municode probe.c -o probe -v",
                     # main -> WinMain shims leave libmingw32.lib (a program's main compiled in the link comes last).
                     f"ar d {tmp_path}/out/libmingw32.lib cache/o/ea/crtexewin.obj cache/o/ea/ucrtexewin.obj"]


def test_windows_mode_fails_naming_the_shim_a_new_mingw_no_longer_has(tmp_path, monkeypatch, capsys):
    text = FAKE_WINDOWS_ZIG.format(verbose=WINDOWS_VERBOSE.format(crt="$crt"), record=tmp_path / "record.txt", kept="x")
    assert _run_windows(tmp_path, monkeypatch, text.replace("cache/o/ea/ucrtexewin.obj", "cache/o/ea/renamed.obj")) == 1
    assert "libmingw32.lib has no member crtexewin.obj, ucrtexewin.obj" in capsys.readouterr().err
