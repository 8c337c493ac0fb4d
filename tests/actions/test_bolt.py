"""actions/pystatic/binary/bolt.py: the link replayed with relocations, llvm-bolt, the stale-profile check.

The orchestration runs with stand-in programs (shell scripts) for the link wrapper, zig, llvm-bolt
and strip that record their command lines; the real tools run in tests/integration/test_bolt.py.
"""

import json
import lzma
import os
import stat

import pytest

from pystatic.binary import bolt

# llvm-bolt 19's summary for a profile that fits (//bench:python_bolt, 2026-12-07) and for one
# whose offsets and names were changed on purpose (the same binary).
FITTING = """\
BOLT-INFO: pre-processing profile using branch profile reader
BOLT-INFO: 8578 out of 26994 functions in the binary (31.8%) have non-empty execution profile
BOLT-INFO: 38 functions with profile could not be optimized
BOLT-INFO: profile for 1 objects was ignored
"""
STALE = """\
BOLT-INFO: pre-processing profile using branch profile reader
BOLT-INFO: 4338 out of 26994 functions in the binary (16.1%) have non-empty execution profile
BOLT-INFO: 39 functions with profile could not be optimized
BOLT-WARNING: 3600 (83.0% of all profiled) functions have invalid (possibly stale) profile. Use -report-stale to see the list.
BOLT-WARNING: 69673560781 out of 71884273865 samples in the binary (96.9%) belong to functions with invalid (possibly stale) profile.
BOLT-INFO: profile for 3541 objects was ignored
"""
VERBOSE_LINK = """\
warning: something zig said
ld.lld --error-limit=0 -O2 -z stack-size=16777216 --gc-sections -s -static -o /tmp/x/linked crt1.o a.o libpython.a
"""


def test_ld_lld_arguments_keep_symbols_and_relocations():
    args = bolt.ld_lld_arguments(VERBOSE_LINK, "/out/relocs")
    assert "-s" not in args and args[-1] == "--emit-relocs"
    assert args[args.index("-o") + 1] == "/out/relocs"
    assert args[:3] == ["--error-limit=0", "-O2", "-z"] and "libpython.a" in args


def test_ld_lld_arguments_without_a_command_say_what_zig_printed():
    with pytest.raises(bolt.BoltError, match="(?s)printed no ld.lld command.*something zig said"):
        bolt.ld_lld_arguments("warning: something zig said\n", "/out/relocs")


def test_a_fitting_profile_passes_with_its_counts():
    assert bolt.check_profile("//app:tool", "p.fdata.xz", FITTING) == {
        "functions_profiled": 8578, "functions_stale": 0, "profile_entries_ignored": 1}


def test_a_stale_profile_fails_naming_the_profile_and_the_fix():
    with pytest.raises(bolt.BoltError) as error:
        bolt.check_profile("//app:tool", "p.fdata.xz", STALE)
    message = str(error.value)
    assert "//app:tool" in message and "p.fdata.xz" in message
    assert "of the binary's 4338 functions it profiles, 3600 have changed" in message
    assert "bench/bolt.py --write-profile" in message and 'bolt = "off"' in message


def test_a_small_binary_lacking_most_of_the_profiles_functions_still_fits():
    # hello links few built-ins: most of the profile names functions it does not have.
    small = FITTING.replace("8578 out of", "4802 out of").replace("profile for 1 objects", "profile for 3811 objects")
    assert bolt.check_profile("//app:hello", "p.fdata.xz", small)["profile_entries_ignored"] == 3811


def test_no_summary_is_an_error_not_a_pass():
    with pytest.raises(bolt.BoltError, match="no profile summary"):
        bolt.check_profile("//app:tool", "p.fdata.xz", "BOLT-INFO: something else\n")


def _tool(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.fixture
def tools(tmp_path):
    """Stand-ins that log their arguments to calls.log and write their outputs."""
    log = tmp_path / "calls.log"
    link = _tool(tmp_path / "cc", f"""echo "cc $* ZIG_VERBOSE_LINK=$ZIG_VERBOSE_LINK" >>{log}
while [ "$1" != "-o" ]; do shift; done
echo linked >"$2"
echo "ld.lld -static -s -o $2 a.o" >&2
""")
    zig = _tool(tmp_path / "zig", f"""echo "zig $*" >>{log}
while [ "$1" != "-o" ]; do shift; done
echo relinked >"$2"
""")
    llvm_bolt = _tool(tmp_path / "llvm-bolt", f"""echo "llvm-bolt $0 $* LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >>{log}
data=$(echo "$@" | tr ' ' '\\n' | sed -n 's/^-data=//p')
cp "$data" {tmp_path}/profile-seen
cp "$1" "$3"
cat <<'EOF'
{FITTING}EOF
""")
    strip = _tool(tmp_path / "strip", f"""echo "strip $*" >>{log}
cp "$4" "$3"
""")
    profile = tmp_path / "profile.fdata.xz"
    profile.write_bytes(lzma.compress(b"1 main 0 1 main 8 0 42\n"))
    return tmp_path, log, link, zig, llvm_bolt, strip, profile


def test_main_links_relinks_bolts_and_strips(tools, monkeypatch):
    tmp_path, log, link, zig, llvm_bolt, strip, profile = tools
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    out, report = tmp_path / "tool", tmp_path / "tool.bolt.json"
    params = tmp_path / "params"
    params.write_text("\n".join([
        "--target", "//app:tool", "--zig", zig, "--llvm_bolt", llvm_bolt, "--llvm_bolt_libs", "/bolt/lib",
        "--profile", str(profile), "--strip", strip, "--output", str(out), "--report", str(report),
        "--", link, "a.o", "libpython.a", "-static",
    ]) + "\n")
    assert bolt.main([f"@{params}"]) == 0
    calls = log.read_text().splitlines()
    assert [c.split()[0] for c in calls] == ["cc", "zig", "llvm-bolt", "strip"]
    assert calls[0].startswith("cc a.o libpython.a -static -o ") and calls[0].endswith("ZIG_VERBOSE_LINK=1")
    assert calls[1].startswith("zig ld.lld -static -o ") and calls[1].endswith("a.o --emit-relocs") and " -s " not in calls[1]
    assert "-reorder-functions=cdsort" in calls[2] and "LD_LIBRARY_PATH=/bolt/lib" in calls[2]
    # Run by fixed relative names: its command line, which it writes into the binary, is the same in every build.
    assert calls[2].startswith("llvm-bolt ./llvm-bolt relocs -o bolted -data=profile.fdata ")
    assert (tmp_path / "profile-seen").read_bytes() == b"1 main 0 1 main 8 0 42\n"  # decompressed for llvm-bolt
    assert out.read_text() == "relinked\n"  # the relinked program, through llvm-bolt and strip
    written = json.loads(report.read_text())
    assert written["functions_profiled"] == 8578 and written["target"] == "//app:tool"
    assert written["size_linked"] == len("linked\n") and written["size"] == len("relinked\n")
    # No timings: the report is an output, the same in every build (tests/integration/test_reproducible.py).
    assert sorted(written) == ["functions_profiled", "functions_stale", "profile", "profile_entries_ignored", "size",
                               "size_linked", "target"]
    assert not [p for p in os.listdir(tmp_path) if p.startswith("pystatic-bolt.")]  # the scratch directory is gone


def test_main_reports_a_failing_tool_and_writes_nothing(tools, monkeypatch, capsys):
    tmp_path, log, link, zig, llvm_bolt, strip, profile = tools
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    failing_zig = _tool(tmp_path / "zig-fails", "echo 'ld.lld: error: undefined symbol: main' >&2\nexit 1\n")
    out, report = tmp_path / "tool", tmp_path / "tool.bolt.json"
    argv = ["--target", "//app:tool", "--zig", failing_zig, "--llvm_bolt", llvm_bolt, "--profile", str(profile),
            "--strip", strip, "--output", str(out), "--report", str(report), "--", link, "a.o"]
    assert bolt.main(argv) == 1
    err = capsys.readouterr().err
    assert "//app:tool: the link with relocations (zig ld.lld) failed" in err and "undefined symbol: main" in err
    assert not report.exists() and not out.exists()
