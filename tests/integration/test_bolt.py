"""LLVM's BOLT after the link (py_static_binary's bolt; docs/cpython.md, BOLT), end to end.

//tests/binary:cli_bolt is examples/cli with bolt = "on": the PyStaticBolt action relinks it with
its relocations through zig ld.lld and runs the pinned llvm-bolt (Debian's bolt-19, from the
repository cache tools/seed_sources fills) with the checked-in profile of the interpreter core.
An app links fewer built-ins than the profiled python3, so some of the profile's functions are
absent: the profile must still fit (the action fails on a stale one: tests/actions/test_bolt.py).
The BOLT build's speed is bench/pyperformance's `bolt` column, not a test. A `-c opt` build (where
bolt = "auto" applies BOLT) uses the distribution of the default build: the same actions, keys and
cache entries (distribution_transition).
"""

import json
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from pystatic.binary.verify_elf import static_problems

MUSL = "--platforms=//platforms:linux_musl"
CLI_BOLT = "//tests/binary:cli_bolt"
CLI = "//examples/cli:cli"


DISTRIBUTION_MNEMONICS = "PyStaticCPython|PyStaticDep|PyStaticExtraBuiltins"


def sections(path):
    with open(path, "rb") as f:
        return {section.name for section in ELFFile(f).iter_sections()}


@pytest.fixture(scope="module")
def built(bazel):
    bazel.run("build", CLI_BOLT, CLI, "--output_groups=+bolt", MUSL)
    bolted = bazel.output_file(CLI_BOLT, MUSL)
    return bolted, bazel.output_file(CLI, MUSL), json.loads(bolted.with_name("cli_bolt.bolt.json").read_text())


def test_bolt_rewrote_the_binary_with_the_cores_profile(built):
    bolted, plain, report = built
    names = sections(bolted)
    assert ".note.bolt_info" in names and ".text.cold" in names, names  # BOLT's layout: hot and cold code apart
    assert ".note.bolt_info" not in sections(plain)  # bolt = "auto" in a fastbuild build: none
    assert ".symtab" not in names  # stripped, as the toolchain's links are
    assert static_problems(bolted, "EM_X86_64") == []
    # Most of the profile fits: the functions of the core this app links.
    assert report["functions_profiled"] > 5000, report
    assert report["functions_stale"] < 0.02 * report["functions_profiled"], report
    assert report["profile"].endswith("-x86_64.fdata.xz")


@pytest.mark.parametrize("command", [["info"], ["tls"], ["ctypes"], ["compress", "hello"], ["workers", "a", "b"]])
def test_the_bolted_binary_does_what_the_plain_one_does(built, command):
    """OpenSSL (its assembly), SQLite, zlib, ctypes, multiprocessing: code BOLT moved, run alike."""
    bolted, plain, _ = built
    outputs = []
    for binary in (bolted, plain):
        result = subprocess.run([str(binary), *command], capture_output=True, text=True, env={}, timeout=120)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.replace(str(binary), "<executable>"))
    assert outputs[0] == outputs[1]


def test_an_opt_build_reuses_the_default_builds_distribution(bazel):
    """-c opt changes nothing in the distribution's build (its flags are its own): one set of actions."""
    keys = {}
    for mode in ("fastbuild", "opt"):
        graph = json.loads(bazel.run("aquery", "-c", mode, MUSL, f'mnemonic("{DISTRIBUTION_MNEMONICS}", deps(//examples/cli))',
                                     "--output=jsonproto").stdout)
        keys[mode] = sorted((action["mnemonic"], action["actionKey"]) for action in graph["actions"])
    assert {mnemonic for mnemonic, _ in keys["fastbuild"]} == {"PyStaticCPython", "PyStaticDep", "PyStaticExtraBuiltins"}
    assert keys["opt"] == keys["fastbuild"]
