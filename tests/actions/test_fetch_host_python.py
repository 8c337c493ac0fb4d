"""The fetch phase runs on the lowest host python3 it supports (3.9, wheels_repository.bzl), and what it
decides there does not depend on the host's version.

Every module the repository rule's script imports (pystatic.repository, pystatic.modules) is imported
by that interpreter, which reads a real lock and scans a 3.12+ module's imports; the results must
equal this interpreter's. The interpreter is Debian bullseye's python3.9, in a root of its own
(tools/debian_root, made once) run with bubblewrap: what a Debian machine has, whatever this one has
(a machine with pyenv's shims on PATH and another HOME ran none: the shim printed nothing).
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

from conftest import ROOT

LOWEST = (3, 9)
LOCK = ROOT / "actions/pystatic/packages/sdist_build/requirements.txt"
PROBE = r'''
import importlib, json, pathlib, pkgutil, sys
import pystatic.modules, pystatic.repository
names = sorted(m.name for p in (pystatic.modules, pystatic.repository)
               for m in pkgutil.walk_packages(p.__path__, p.__name__ + "."))
for name in names:
    importlib.import_module(name)
from pystatic.modules import import_scan
from pystatic.repository.wheels.lock import read_lock
source = 'type F = int\ns = f"{d["k"]}"\ntry:\n    from ._c import x\nexcept ImportError:\n    x = None\nimport os.path\n'
packages = read_lock(pathlib.Path(sys.argv[1]))
print(json.dumps({
    "modules": names,
    "scan": sorted(map(list, import_scan.imports_of(source, "pkg", True))),
    "lock": sorted((p.key, p.version, p.marker, len(p.hashes)) for p in packages),
}))
'''


def lowest_python():
    """The command that runs Debian bullseye's python3.9, and where it sees this checkout (/mnt: its
    root is read-only, so only a directory it has can be a mount point)."""
    wanted = "python%d.%d" % LOWEST
    made = subprocess.run([str(ROOT / "tools" / "debian_root"), "bullseye", wanted], capture_output=True, text=True)
    assert made.returncode == 0, f"tools/debian_root bullseye {wanted}: {made.stderr[-2000:]}"
    bwrap = shutil.which("bwrap")
    assert bwrap, "bubblewrap runs Debian's python3.9 in its root: apt-get install bubblewrap"
    root = made.stdout.strip()
    return [bwrap, "--ro-bind", root, "/", "--ro-bind", str(ROOT), "/mnt", "--proc", "/proc", "--dev", "/dev",
            "--tmpfs", "/tmp", f"/usr/bin/{wanted}"], pathlib.Path("/mnt")


def probe(python, checkout):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(checkout / d) for d in ("actions", "third_party/packaging", "third_party/tomli")))
    # -E would drop PYTHONPATH: run as the repository rule does, PYTHONPATH and all.
    result = subprocess.run([*python, "-c", PROBE, str(checkout / LOCK.relative_to(ROOT))], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_the_lowest_host_python_decides_what_this_one_does():
    python, checkout = lowest_python()
    version = subprocess.run([*python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    assert version.stdout.strip() == str(LOWEST), version.stderr
    low, here = probe(python, checkout), probe([sys.executable], ROOT)
    assert low == here
    assert "pystatic.repository.wheel_repo" in low["modules"] and low["lock"]
    assert ["pkg._c", True] in low["scan"] and ["os.path", False] in low["scan"]

