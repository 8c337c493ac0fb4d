"""Synthetic ELF objects for the native object tests, built with zig cc ($PYSTATIC_ZIG: the zig of
the distribution's toolchain; the tests that need it are skipped without it)."""

import os
import pathlib
import shutil
import subprocess

import pytest
import zig_static

TRIPLES = {"x86_64": "x86_64-linux-musl", "aarch64": "aarch64-linux-musl"}
MACHINES = {"x86_64": "EM_X86_64", "aarch64": "EM_AARCH64"}


def zig():
    """The zig executable, or skips the test."""
    path = os.environ.get("PYSTATIC_ZIG")
    if not path:
        pytest.skip("PYSTATIC_ZIG is not set (the path of a zig executable: these tests build ELF objects with zig cc)")
    if not os.access(path, os.X_OK):
        pytest.fail(f"PYSTATIC_ZIG={path} is not an executable")
    return path


def cc(args, cwd, driver=None):
    """Runs `zig cc args` (or `driver args`) in `cwd`; fails the test with its output when it fails."""
    driver = driver or [zig(), "cc"]
    run = subprocess.run(driver + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=zig_static.zig_env())
    if run.returncode != 0:
        pytest.fail(f"{' '.join(driver)} {' '.join(map(str, args))} failed:\n{run.stdout}{run.stderr}")
    return run


def shared_object(directory, name, source, cpu="x86_64", flags=(), suffix=".c"):
    """Builds `source` (C, or assembly with suffix ".S") into the shared object `directory/name`."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    src = directory / (name + ".src" + suffix)
    src.write_text(source)
    out = directory / name
    # No UBSan (zig cc's default without -O): its runtime would add its own libc needs to the object.
    cc(["-target", TRIPLES[cpu], "-shared", "-fPIC", "-fno-sanitize=undefined", "-o", out, src] + list(flags), directory)
    return out


def lld(args, cwd):
    """Runs zig's `ld.lld args` (for flags zig cc does not pass on, e.g. --pack-dyn-relocs=relr)."""
    run = subprocess.run([zig(), "ld.lld"] + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=zig_static.zig_env())
    if run.returncode != 0:
        pytest.fail(f"zig ld.lld {' '.join(map(str, args))} failed:\n{run.stdout}{run.stderr}")


def static_archive(directory, name, source, cpu="x86_64"):
    """A static archive `directory/name` of one object compiled from the C `source`."""
    directory = pathlib.Path(directory)
    (directory / (name + ".c")).write_text(source)
    cc(["-target", TRIPLES[cpu], "-c", "-o", directory / (name + ".o"), directory / (name + ".c")], directory)
    run = subprocess.run([zig(), "ar", "rcs", directory / name, directory / (name + ".o")], capture_output=True, text=True, env=zig_static.zig_env())
    assert run.returncode == 0, run.stderr
    return directory / name


def run_executable(path, cpu):
    """Runs a static executable of `cpu` (under qemu-aarch64 for aarch64 on another host), or skips."""
    if cpu == "aarch64" and os.uname().machine != "aarch64":
        qemu = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
        if qemu is None:
            pytest.skip("no qemu-aarch64 to run an aarch64 executable")
        command = [qemu, "-cpu", "neoverse-n1", str(path)]
    elif cpu == "x86_64" and os.uname().machine != "x86_64":
        pytest.skip("not an x86_64 host")
    else:
        command = [str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


# A C main that walks the export table: each name, whether its address is set, the provided
# libraries, and the result of calling `answer` through the table (the only reference to it).
TABLE_WALKER = r"""
#include <stdio.h>
#include <string.h>
struct pystatic_export { const char *name; void *address; };
extern const struct pystatic_export pystatic_exports[];
extern const char *const pystatic_provided_libraries[];
int main(void) {
    for (const struct pystatic_export *e = pystatic_exports; e->name; e++) {
        printf("%s %d\n", e->name, e->address != NULL);
        if (!strcmp(e->name, "PyFake_Answer") && e->address) printf("answer %d\n", ((int (*)(void))e->address)());
    }
    for (const char *const *l = pystatic_provided_libraries; *l; l++) printf("library %s\n", *l);
    return 0;
}
"""


def link_static(directory, cpu, inputs, flags=(), name="exe"):
    """A static executable linked from `inputs` (sources, archives) with --gc-sections: by the
    toolchain's wrapper against Bazel's zig runtime when tools/test gave it (zig_static.static_cc)."""
    out = pathlib.Path(directory) / name
    # The prebuilt runtime's libc is not position-independent (no binary is a PIE): a static PIE
    # gets zig's own, built in the tests' cache.
    driver = [zig(), "cc", "-target", TRIPLES[cpu]] if "-fPIE" in flags else zig_static.static_cc(zig(), cpu)
    cc(["-static", "-Wl,--gc-sections", "-o", out] + list(inputs) + list(flags), directory, driver)
    return out
