"""The fetch phase runs on the lowest host python3 it supports (3.9, wheels_repository.bzl), and what it
decides there does not depend on the host's version.

Every module the repository rule's script imports (pystatic.repository, pystatic.modules) is imported
by that interpreter, which reads a real lock and scans a 3.12+ module's imports; the results must
equal this interpreter's. The interpreter is pyenv's 3.9 build, else python3.9 on PATH.
"""

import glob
import json
import os
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
    wanted = "python%d.%d" % LOWEST
    # pyenv's own build first: its shim on PATH refuses a version the directory did not select.
    pyenv = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%d.%d.*/bin/python" % LOWEST)))
    found = pyenv[-1] if pyenv else shutil.which(wanted)
    assert found, f"no {wanted} to test the fetch on: install it (pyenv install {LOWEST[0]}.{LOWEST[1]}, or apt-get install {wanted})"
    return found


def probe(python):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(ROOT / d) for d in ("actions", "third_party/packaging", "third_party/tomli")))
    # -E would drop PYTHONPATH: run as the repository rule does, PYTHONPATH and all.
    result = subprocess.run([python, "-c", PROBE, str(LOCK)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_the_lowest_host_python_decides_what_this_one_does():
    python = lowest_python()
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True).stdout
    assert version.strip() == str(LOWEST)
    low, here = probe(python), probe(sys.executable)
    assert low == here
    assert "pystatic.repository.wheel_repo" in low["modules"] and low["lock"]
    assert ["pkg._c", True] in low["scan"] and ["os.path", False] in low["scan"]

