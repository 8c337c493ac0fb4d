"""The action package's shape (ARCHITECTURE.md, What may depend on what), read from its sources.

A script (a module with main(), run by an action or a repository rule) imports only libraries,
never another script: an action's inputs are then its script and that script's libraries, and a
script's edit re-keys only its own actions. Each sub-package imports only the sub-packages the
table below allows (the fetch phase does not stand on the binary phase), and no file is a god file.
tests/integration/test_action_inputs.py checks that the BUILD files give each action exactly this closure.
"""

import ast
import pathlib
import re

from conftest import ROOT

TOOL_ROOTS = (ROOT / "actions", ROOT / "distribution" / "actions")
MAX_LINES = 400

# sub-package -> the sub-packages it may import (besides itself). Libraries shared by every phase:
# common (descriptor, action arguments) and modules (module names, native files, import analysis).
ALLOWED = {
    "common": set(),
    "modules": set(),
    "format": set(),
    "distribution": {"common"},
    # Run by a repository rule from the source tree, which watches exactly these (wheels_repository.bzl).
    "repository": {"modules"},
    "runtime_toolchain": {"common", "format", "modules"},
    "packages": {"common", "modules", "format", "distribution"},
    "binary": {"common", "modules", "format", "distribution"},
    "reference": {"common"},
}


def _modules():
    """{dotted name: path} of every module of the `pystatic` namespace package (both parts)."""
    found = {}
    for root in TOOL_ROOTS:
        for path in sorted((root / "pystatic").rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_script(path):
    tree = ast.parse(path.read_text())
    has_main = any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)
    runs_main = any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test) for n in tree.body)
    return has_main and runs_main


def _imports(path):
    """The `pystatic` modules a file imports (`from pystatic.a import b` is pystatic.a.b when b is one)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("pystatic."))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("pystatic."):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                names.add(sub if sub in MODULES else node.module)
    return names


SCRIPTS = {name for name, path in MODULES.items() if _is_script(path)}


def test_the_package_has_scripts_and_libraries():
    # The reading above works: known scripts are found, known libraries are not scripts.
    assert {"pystatic.distribution.build_cpython", "pystatic.binary.pack_blob", "pystatic.repository.wheel_repo"} <= SCRIPTS
    assert "pystatic.common.descriptor" in MODULES and "pystatic.common.descriptor" not in SCRIPTS
    assert "pystatic.modules.names" in MODULES and "pystatic.modules.names" not in SCRIPTS


def test_every_import_names_a_module():
    unknown = {(name, imported) for name, path in MODULES.items() for imported in _imports(path) if imported not in MODULES}
    assert not unknown


def test_no_script_imports_a_script():
    offenders = {(name, imported) for name in SCRIPTS for imported in _imports(MODULES[name]) if imported in SCRIPTS}
    assert not offenders, "move what both need into a library module"


def test_sub_packages_import_only_what_their_phase_may():
    offenders = set()
    for name, path in MODULES.items():
        parts = name.split(".")
        if len(parts) < 3:
            continue  # a sub-package's __init__
        own = parts[1]
        assert own in ALLOWED, f"{name}: sub-package {own} is not in this test's ALLOWED table (ARCHITECTURE.md)"
        for imported in _imports(path):
            other = imported.split(".")[1]
            if other != own and other not in ALLOWED[own]:
                offenders.add((name, imported))
    assert not offenders


def test_no_god_files():
    long = {str(path.relative_to(ROOT)): n for path in MODULES.values() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, f"split these along their concepts (at most {MAX_LINES} lines)"


def test_the_wheels_repository_rule_watches_what_its_script_imports():
    rule = (ROOT / "rules/private/wheels_repository.bzl").read_text()
    watched = re.search(r"^_WHEEL_REPO_LIBRARIES = (\[.*\])$", rule, re.M)
    assert watched and set(ast.literal_eval(watched.group(1))) == {"repository"} | ALLOWED["repository"]
