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
