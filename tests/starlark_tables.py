"""The tables of targets and Python builds, read by the tests from their only home (Starlark).

distribution/toolchains/targets.bzl and python_builds.bzl are literals of dicts of struct(...):
read here as Python literals (struct -> dict). The action scripts never read them: they get their
row's values as arguments from the rules.
"""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGETS_BZL = "distribution/toolchains/targets.bzl"
PYTHON_BUILDS_BZL = "distribution/toolchains/python_builds.bzl"


def starlark_table(path, name):
    """The literal `name = {...}` of a .bzl file, with struct(...) read as dict(...); it may name the
    file's private list literals (`_PACKAGES = [...]`) and join them (`" ".join(_PACKAGES)`)."""
    text = (ROOT / path).read_text()
    match = re.search(rf"^{name} = (\{{.*?^\}})", text, re.S | re.M)
    assert match, f"{path}: no `{name} = {{...}}` table"
    lists = {m.group(1): ast.literal_eval(m.group(2)) for m in re.finditer(r"^(_[A-Z0-9_]+) = (\[.*?^\])", text, re.S | re.M)}
    tree = ast.parse(match.group(1).replace("struct(", "dict("), mode="eval")
    return eval(compile(tree, path, "eval"), {"__builtins__": {}, "dict": dict}, lists)  # literals and dict() only


def starlark_string(path, name):
    match = re.search(rf'^{name} = "([^"]*)"', (ROOT / path).read_text(), re.M)
    assert match, f"{path}: no `{name} = \"...\"`"
    return match.group(1)


TARGETS = starlark_table(TARGETS_BZL, "TARGETS")
PYTHON_BUILDS = starlark_table(PYTHON_BUILDS_BZL, "PYTHON_BUILDS")
DEFAULT_PYTHON_BUILD = starlark_string(PYTHON_BUILDS_BZL, "DEFAULT_PYTHON_BUILD")
BUILD_MACHINE_TRIPLE = starlark_string(TARGETS_BZL, "BUILD_MACHINE_TRIPLE")


def by_cpu():
    """{cpu: row with its triple} of the targets with a static CPython (their cpu names are unique)."""
    return {row["cpu"]: dict(row, triple=triple) for triple, row in TARGETS.items() if row["cpython"]}


def windows_row():
    """The row (with its triple) of the windows target: C toolchain only, run under wine."""
    (row,) = [dict(row, triple=triple) for triple, row in TARGETS.items() if row["os"] == "windows"]
    return row
