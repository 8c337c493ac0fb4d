#!/usr/bin/env bash
# dev/relayout.sh: issue 17 items 4 and 6 as one mechanical move. Run at the root of a rules_pystatic
# checkout that still has the flat layout (tools/pystatic/*.py, platforms/ and the tables at the
# root); it refuses to run twice. It only moves (git mv), rewrites imports, labels and paths, and
# writes the few BUILD/MODULE files the split adds; commit its result as its own commit.
#
#   distribution/            the `pystatic_distribution` Bazel module (local_path_override from the
#                            root and from e2e/): the tables (toolchains/targets.bzl,
#                            python_builds.bzl), platforms, the //python:version setting, zig, the
#                            pinned sources, the CPython and C-library builds and their tools, at the
#                            same paths inside the module as they had in the root. Its canonical
#                            repository names are the same in every workspace, so e2e gets cache hits.
#   tools/pystatic/<phase>/  the rest of the action scripts, one sub-package per phase.
#
# Merging a branch of the old layout (git's rename detection carries edits of moved files):
#   dev/relayout.sh --after-merge
# moves any file the branch added to tools/pystatic/ into its group (add it to GROUPS first) and
# rewrites imports, labels and paths in the whole tree again (each rewrite is idempotent). Then
# add a py_binary of a new action script to the list in tools/BUILD.bazel by hand.
set -euo pipefail
if [[ ${1:-} == --after-merge ]]; then
    [[ -d distribution/tools/pystatic ]] || { echo "dev/relayout.sh: --after-merge: the move is not done yet" >&2; exit 1; }
    export RELAYOUT_AFTER_MERGE=1
else
    [[ -f tools/pystatic/build_cpython.py && -f platforms/BUILD.bazel && -f toolchains/targets.bzl ]] ||
        { echo "dev/relayout.sh: already done (or not the repo root); after a merge: dev/relayout.sh --after-merge" >&2; exit 1; }
fi

python3 - <<'PY'
import os
AFTER_MERGE = bool(os.environ.get("RELAYOUT_AFTER_MERGE"))
import pathlib, re, subprocess, sys

def git(*args):
    subprocess.run(["git", *args], check=True)

def sub(path, old, new, count=1):
    p = pathlib.Path(path)
    s = p.read_text()
    if old not in s:
        raise SystemExit(f"dev/relayout.sh: {path}: expected text not found:\n{old}")
    p.write_text(s.replace(old, new, count))

# module -> (tools root, group). "distribution/tools" is the pystatic_distribution module's part.
D, R = "distribution/tools", "tools"
GROUPS = {
    # shared helpers: argument files, the distribution descriptor, the tables' Python twin
    "action_args": (D, "common"), "descriptor": (D, "common"), "targets": (D, "common"),
    # phase 2: the distribution build (CPython and its C libraries)
    "build_cpython": (D, "distribution"), "build_dep": (D, "distribution"),
    "configure_make": (D, "distribution"), "source_archive": (D, "distribution"),
    # phase 1: repository rules and seeding
    "wheel_repo": (R, "repository"), "seed_sources": (R, "repository"),
    # the runtime toolchain's actions (once per distribution)
    "merge_archives": (R, "runtime"), "sysconfig_data": (R, "runtime"),
    # per-package actions (wheels, sdists and the C libraries they link)
    "check_wheel": (R, "packages"), "build_sdist": (R, "packages"), "build_native": (R, "packages"),
    # phase 3: per-binary actions
    "resource_manifest": (R, "binary"), "compile_bytecode": (R, "binary"), "pack_blob": (R, "binary"),
    "file_access": (R, "binary"), "gen_glue": (R, "binary"), "verify_elf": (R, "binary"),
    "licenses": (R, "binary"), "sbom": (R, "binary"),
    # the resource blob format (read by runtime/blob.c)
    "blob": (R, "format"),
}
# Directories under tools/pystatic: moved whole (docs/ is already a sub-package and stays).
DIRS = {"sdist_build": (R, "packages")}
KEEP_DIRS = {"docs", "__pycache__"}
DOCS = {
    "common": "Helpers shared by every phase's action scripts (both modules).",
    "distribution": "Phase 2: the static CPython distribution and its C libraries, built as Bazel actions.",
    "repository": "Phase 1: repository rules and seeding (no toolchain yet).",
    "runtime": "The runtime toolchain's actions: one merged archive and sysconfig data per distribution.",
    "packages": "Per-package actions: checks of wheels, C extensions and their C libraries built from sources.",
    "binary": "Phase 3: the actions of one py_static_binary, in order.",
    "format": "The resource blob format (written here, read by runtime/blob.c).",
}
flat = sorted(p.stem for p in pathlib.Path("tools/pystatic").glob("*.py") if p.stem != "__init__")
unknown = [m for m in flat if m not in GROUPS]
dirs = sorted(p.name for p in pathlib.Path("tools/pystatic").iterdir() if p.is_dir())
known_dirs = set(DIRS) | KEEP_DIRS | ({g for _, g in GROUPS.values()} if AFTER_MERGE else set())
unknown += [d + "/" for d in dirs if d not in known_dirs]
if unknown:
    sys.exit(f"dev/relayout.sh: tools/pystatic/{unknown} have no group: add them to GROUPS or DIRS")

def new_file(module):
    root, group = GROUPS[module]
    return f"{root}/pystatic/{group}/{module}.py"

# Files of the distribution module, at the same path inside distribution/ (so their own labels,
# e.g. //toolchains:targets.bzl, stay valid there).
MOVED_BZL = ["toolchains/targets.bzl", "toolchains/python_builds.bzl", "toolchains/cc_toolchain_with_files.bzl"] + [
    f"toolchains/cpython/{b}.bzl" for b in ["cc_tools", "dependency", "distribution", "extensions", "providers",
                                            "repositories", "transitions"]]
MOVED = MOVED_BZL + ["toolchains/cpython/sources.json"]

# 1. Moves.
if AFTER_MERGE:
    for module in flat:
        src, dst = pathlib.Path(f"tools/pystatic/{module}.py"), pathlib.Path(new_file(module))
        if subprocess.run(["git", "ls-files", "--error-unmatch", str(src)], capture_output=True).returncode == 0:
            git("mv", str(src), str(dst))
        else:
            src.rename(dst)
for d in [] if AFTER_MERGE else ["distribution/toolchains/cpython", "distribution/python"] + [f"{r}/pystatic/{g}" for r, g in set(GROUPS.values())]:
    pathlib.Path(d).mkdir(parents=True, exist_ok=True)
if not AFTER_MERGE:
    git("mv", "platforms", "distribution/platforms")
    git("mv", "toolchains/zig", "distribution/toolchains/zig")
    git("mv", "python/BUILD.bazel", "distribution/python/BUILD.bazel")
    for f in MOVED:
        git("mv", f, "distribution/" + f)
    for module in flat:
        git("mv", f"tools/pystatic/{module}.py", new_file(module))
    for d, (root, group) in DIRS.items():
        git("mv", f"tools/pystatic/{d}", f"{root}/pystatic/{group}/{d}")
    git("rm", "-q", "tools/pystatic/__init__.py")  # `pystatic` is a namespace package over both tool roots
    for root, group in sorted(set(GROUPS.values())):
        init = pathlib.Path(f"{root}/pystatic/{group}/__init__.py")
        init.write_text(f'"""{DOCS[group]}"""\n')
        git("add", str(init))

# 2. Rewrites: imports, file paths, labels.
DIST = "@pystatic_distribution"
# Labels of what moved, as written outside distribution/.
LABELS = [
    ('"//toolchains/zig"', f'"{DIST}//toolchains/zig"'),  # bzl_library deps
    ('"//toolchains/zig:', f'"{DIST}//toolchains/zig:'),
    ('"//toolchains:tables"', f'"{DIST}//toolchains:tables"'),
    ('"//python:version"', f'"{DIST}//python:version"'),
    ('"@rules_pystatic//toolchains:cc_toolchain_with_files.bzl"', f'"{DIST}//toolchains:cc_toolchain_with_files.bzl"'),
    ('load(":cc_toolchain_with_files.bzl"', f'load("{DIST}//toolchains:cc_toolchain_with_files.bzl"'),
    ('load(":targets.bzl"', f'load("{DIST}//toolchains:targets.bzl"'),
    ('"//toolchains/cpython:sources.json"', f'"{DIST}//toolchains/cpython:sources.json"'),
]
for f in MOVED_BZL:
    pkg, name = f.rsplit("/", 1)
    LABELS.append((f'"//{pkg}:{name}"', f'"{DIST}//{pkg}:{name}"'))
# Labels inside distribution/ that named rules_pystatic.
# (repository rules' generated BUILD files: a module names itself by its own name)
DIST_LABELS = [
    ('"@rules_pystatic//toolchains:cc_toolchain_with_files.bzl"', f'"{DIST}//toolchains:cc_toolchain_with_files.bzl"'),
    ('"@rules_pystatic//toolchains/zig:', f'"{DIST}//toolchains/zig:'),
    ("@rules_pystatic//toolchains/zig:versions.bzl", f"{DIST}//toolchains/zig:versions.bzl"),
]
# Repository paths of what moved (docs, tests, scripts).
PATHS = [(f, "distribution/" + f) for f in MOVED] + [
    ("toolchains/zig/", "distribution/toolchains/zig/"),
    ("platforms/BUILD.bazel", "distribution/platforms/BUILD.bazel"),
]

def rewrite(text, path):
    in_dist = path.startswith("distribution/")
    # `from pystatic import a, b`: one import per module, as each goes to its own group.
    text = re.sub(r"^([ \t]*)from pystatic import (\w+(?:, \w+)+)$",
                  lambda m: "\n".join(f"{m.group(1)}from pystatic import {n}" for n in m.group(2).split(", ")),
                  text, flags=re.M)
    for module, (root, group) in GROUPS.items():
        text = re.sub(rf"\bfrom pystatic import {module}\b", f"from pystatic.{group} import {module}", text)
        text = re.sub(rf"(?<![\w.])pystatic\.{module}\b", f"pystatic.{group}.{module}", text)
        text = re.sub(rf"(?<![\w/])tools/pystatic/{module}\.py\b", new_file(module), text)
        text = re.sub(rf"(?<![\w/])pystatic/{module}\.py\b", f"pystatic/{group}/{module}.py", text)
    for d, (root, group) in DIRS.items():
        text = re.sub(rf"(?<![\w/])tools/pystatic/{d}\b", f"{root}/pystatic/{group}/{d}", text)
        text = re.sub(rf"(?<![\w/])pystatic/{d}\b", f"pystatic/{group}/{d}", text)
    if path.endswith((".bzl", ".bazel")) or pathlib.Path(path).name in ("WORKSPACE", "MODULE.bazel"):
        if in_dist:
            for old, new in DIST_LABELS:
                text = text.replace(old, new)
        else:
            for old, new in LABELS:
                text = text.replace(old, new)
            if path == "toolchains/cpython/runtime.bzl":
                for b in ["cc_tools", "providers", "transitions"]:
                    text = text.replace(f'load(":{b}.bzl"', f'load("{DIST}//toolchains/cpython:{b}.bzl"')
    # (not after a merge: the moved layout has root files of these names again, e.g. platforms/)
    for old, new in [] if AFTER_MERGE else PATHS:
        text = re.sub(rf"(?<![\w/]){re.escape(old)}", new, text)
    # shell spellings (tools/bazel, tools/seed_sources)
    text = text.replace('$repo/toolchains/cpython/sources.json', '$repo/distribution/toolchains/cpython/sources.json')
    # Consecutive `from pystatic.` imports stay sorted (isort order) after the renames.
    text = re.sub(r"(?:^from pystatic\.[^\n]*\n)+",
                  lambda m: "".join(sorted(m.group(0).splitlines(keepends=True))), text, flags=re.M)
    # pathlib spellings in tests and bench
    text = re.sub(r'(?<!"distribution" )/ "toolchains" / "cpython" / "sources.json"',
                  '/ "distribution" / "toolchains" / "cpython" / "sources.json"', text)
    return text

files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], check=True, capture_output=True, text=True).stdout.split()
skip = ("third_party/", "bench/results.md", "dev/relayout.sh")
for path in files:
    p = pathlib.Path(path)
    if path.startswith(skip) or not p.is_file():
        continue
    if p.suffix not in ("", ".py", ".bzl", ".bazel", ".md", ".sh", ".txt", ".in", ".c", ".h", ".toml", ".bazelrc", ".json"):
        continue
    try:
        old = p.read_text()
    except UnicodeDecodeError:
        continue
    new = rewrite(old, path)
    if new != old:
        p.write_text(new)
PY
[[ -n ${RELAYOUT_AFTER_MERGE:-} ]] && { echo "dev/relayout.sh: --after-merge done; review with git status and git diff" >&2; exit 0; }

# 3. The files the split adds, and the edits that are not a rename.
cat >distribution/MODULE.bazel <<'EOF2'
"""pystatic_distribution: the static CPython distribution of rules_pystatic, as its own module.

Bazel writes canonical repository names into every path of an action (the root module's is `_main`,
a dependency's `rules_pystatic~`), so the same build has other action keys in every workspace. A
module's own name is the same everywhere: the distribution's actions (sources, tools, zig, outputs)
have the same keys in this repository and in any workspace that uses rules_pystatic, and a disk or
remote cache filled by one serves the other. rules_pystatic depends on it; nothing here depends on
rules_pystatic.
"""

module(
    name = "pystatic_distribution",
    version = "0.0.0",
    compatibility_level = 1,
)

bazel_dep(name = "bazel_skylib", version = "1.7.1")
bazel_dep(name = "platforms", version = "0.0.10")
bazel_dep(name = "rules_cc", version = "0.0.9")

zig = use_extension("//toolchains/zig:extensions.bzl", "zig")
use_repo(zig, "pystatic_zig")

cpython = use_extension("//toolchains/cpython:extensions.bzl", "cpython")
EOF2
# The distribution uses the same repositories of the cpython extension as the root did.
python3 - <<'PY'
import pathlib, re
root = pathlib.Path("MODULE.bazel").read_text()
m = re.search(r"use_repo\(\n    cpython,\n(.*?)\)\n", root, re.S)
repos = [r.strip().strip(",").strip('"') for r in m.group(1).splitlines() if r.strip()]
dist = [r for r in repos if not r.startswith("pystatic_native_")]
with open("distribution/MODULE.bazel", "a") as f:
    f.write("use_repo(\n    cpython,\n" + "".join(f'    "{r}",\n' for r in dist) + ")\n")
# The root keeps what it names itself: the CPython source (regrtest), the version table, the C
# libraries of packages (toolchains/native); the distribution's C libraries are the module's.
kept = [r for r in repos if not r.startswith("pystatic_dep_")]
root = root.replace(m.group(0), "use_repo(\n    cpython,\n" + "".join(f'    "{r}",\n' for r in kept) + ")\n")
pathlib.Path("MODULE.bazel").write_text(root)
PY
cat >distribution/WORKSPACE <<'EOF2'
# Legacy WORKSPACE mode: the root WORKSPACE declares this directory as @pystatic_distribution.
workspace(name = "pystatic_distribution")
EOF2
touch distribution/BUILD.bazel

cat >distribution/toolchains/BUILD.bazel <<'EOF2'
load("@bazel_skylib//:bzl_library.bzl", "bzl_library")

package(default_visibility = ["//visibility:public"])

# The tables everything per target and per Python build is generated from.
bzl_library(
    name = "tables",
    srcs = [
        "python_builds.bzl",
        "targets.bzl",
    ],
)

bzl_library(
    name = "cc_toolchain_with_files",
    srcs = ["cc_toolchain_with_files.bzl"],
)
EOF2

cat >distribution/tools/BUILD.bazel <<'EOF2'
package(default_visibility = ["//visibility:public"])

# The `pystatic` namespace package's part in this module: common/ (shared helpers) and
# distribution/ (the distribution build). rules_pystatic's tools depend on it.
# Native py_* rules (Bazel 7): rules_python's toolchain would download an interpreter,
# while the native rules run the build machine's autodetected python3.
# buildifier: disable=native-py
py_library(
    name = "pystatic",
    srcs = glob(["pystatic/**/*.py"]),
    imports = ["."],
)

# Its files, for scripts run by the distribution's own interpreter (not py_binary).
filegroup(
    name = "pystatic_srcs",
    srcs = glob(["pystatic/**/*.py"]),
)

[
    # buildifier: disable=native-py
    py_binary(
        name = name,
        srcs = ["pystatic/distribution/{}.py".format(name)],
        # No generated __init__.py: `pystatic` is a namespace package over both tool roots.
        legacy_create_init = 0,
        main = "pystatic/distribution/{}.py".format(name),
        deps = [":pystatic"],
    )
    for name in [
        "build_cpython",
        "build_dep",
        "cpython_sbom",
    ]
]

# Run by repository rules (not actions) of rules_pystatic, beside its own tools.
exports_files(["pystatic/common/targets.py"])
EOF2

# distribution/toolchains/cpython/BUILD.bazel: the C libraries and the distributions, cut out of the
# root's (table-driven) BUILD; the root keeps the runtimes and their toolchains, and aliases.
python3 - <<'PY'
import pathlib, re

def sub(path, old, new, count=1):
    p = pathlib.Path(path)
    s = p.read_text()
    if old not in s:
        raise SystemExit(f"dev/relayout.sh: {path}: expected text not found:\n{old}")
    p.write_text(s.replace(old, new, count))

DIST = "@pystatic_distribution"
p = pathlib.Path("toolchains/cpython/BUILD.bazel")
s = p.read_text()
loads = re.findall(r"^load\(.*\)\n", s, re.M)
a = s.index("# C libraries of extension modules")
b = s.index("[\n    py_static_runtime(")
body = s[a:b]
dist = ("load(\"@pystatic_cpython_versions//:versions.bzl\", \"DEPENDENCIES\", \"VERSIONS\")\n"
        "load(\"//toolchains:python_builds.bzl\", \"PYTHON_BUILDS\", \"build_suffix\", \"distribution_name\")\n"
        "load(\":dependency.bzl\", \"static_dependency\")\n"
        "load(\":distribution.bzl\", \"cpython_static_distribution\")\n\n"
        "package(default_visibility = [\"//visibility:public\"])\n\n"
        "exports_files([\"sources.json\"])\n\n" + body.rstrip() + "\n")
pathlib.Path("distribution/toolchains/cpython/BUILD.bazel").write_text(dist)
s = s[:a] + '''# The C libraries and distributions are built in the pystatic_distribution module
# (distribution/toolchains/cpython), whose actions have the same keys in every workspace; these
# names stay for users and tests.
[
    alias(
        name = name,
        actual = "@pystatic_distribution//toolchains/cpython:" + name,
        tags = ["manual"],
    )
    for name in [distribution_name(build) for build in PYTHON_BUILDS] + DEPENDENCIES
]

''' + s[b:]
s = s.replace('load(":dependency.bzl", "static_dependency")\n', "")
s = s.replace('load(":distribution.bzl", "cpython_static_distribution")\n', "")
s = s.replace('exports_files(["sources.json"])\n\n', "")
s = s.replace('load("@pystatic_cpython_versions//:versions.bzl", "DEPENDENCIES", "VERSIONS")',
              'load("@pystatic_cpython_versions//:versions.bzl", "DEPENDENCIES")')
s = re.sub(r'(bzl_library\(\n    name = "cpython",\n    srcs = \[)[^\]]*\]', r'\1\n        "runtime.bzl",\n    ]', s)
s = s.replace(f'deps = ["{DIST}//toolchains:tables"]', f'deps = ["{DIST}//toolchains/cpython"]')
p.write_text(s)
# The moved bzl files' library.
with open("distribution/toolchains/cpython/BUILD.bazel", "a") as f:
    f.write('''
bzl_library(
    name = "cpython",
    srcs = [
        "cc_tools.bzl",
        "dependency.bzl",
        "distribution.bzl",
        "extensions.bzl",
        "providers.bzl",
        "repositories.bzl",
        "transitions.bzl",
    ],
    deps = ["//toolchains:tables"],
)
''')
sub("distribution/toolchains/cpython/BUILD.bazel", 'load("@pystatic_cpython_versions',
    'load("@bazel_skylib//:bzl_library.bzl", "bzl_library")\nload("@pystatic_cpython_versions')

# Root toolchains/BUILD.bazel: the tables' bzl_library moved with them.
p = pathlib.Path("toolchains/BUILD.bazel")
s = p.read_text()
i = s.index("# The tables everything per target")
s = s[:i].rstrip() + "\n"
s = s.replace('load("@bazel_skylib//:bzl_library.bzl", "bzl_library")\n', "")
p.write_text(s)

# The root module depends on the distribution module and uses its extensions.
sub("MODULE.bazel", f'zig = use_extension("{DIST}//toolchains/zig:extensions.bzl", "zig")',
    '''# The CPython distribution, its tables, platforms and zig: a module of its own
# (distribution/MODULE.bazel), so that its actions have the same keys in every workspace.
bazel_dep(name = "pystatic_distribution", version = "0.0.0")
local_path_override(
    module_name = "pystatic_distribution",
    path = "distribution",
)

zig = use_extension("@pystatic_distribution//toolchains/zig:extensions.bzl", "zig")''')
sub("MODULE.bazel", 'cpython = use_extension("@pystatic_distribution//toolchains/cpython:extensions.bzl", "cpython")',
    'cpython = use_extension("@pystatic_distribution//toolchains/cpython:extensions.bzl", "cpython")')
sub("e2e/MODULE.bazel", '''local_path_override(
    module_name = "rules_pystatic",
    path = "..",
)''', '''local_path_override(
    module_name = "rules_pystatic",
    path = "..",
)

# rules_pystatic's CPython distribution is a second module in the same repository.
local_path_override(
    module_name = "pystatic_distribution",
    path = "../distribution",
)''')
sub(".bazelignore", "e2e\n", "e2e\n# The pystatic_distribution module (its own repository: @pystatic_distribution).\ndistribution\n")

# The CPython SBOM extraction (an action of the distribution rule) moves with it.
sbom = pathlib.Path("tools/pystatic/binary/sbom.py")
s = sbom.read_text()
start = s.index("def extract_cpython_sbom(archive, output):")
end = s.index("\n\n\ndef ", start)
func = s[start:end]
s = s[:start] + s[end + 3:]
s = s.replace("class SbomError(Exception):\n    pass\n", "")
s = s.replace("from pystatic.common.action_args import expand_param_files\n",
              "from pystatic.common.action_args import expand_param_files\n"
              "from pystatic.distribution.cpython_sbom import SbomError, extract_cpython_sbom\n")
sbom.write_text(s)
pathlib.Path("distribution/tools/pystatic/distribution/cpython_sbom.py").write_text(f'''"""CPython's own Misc/sbom.spdx.json (bundled libraries) and the source archive's sha256, for binaries' SBOMs.

  --extract_cpython ARCHIVE --output F   PyStaticCPythonSbom (an action of cpython_static_distribution)
"""

import argparse
import hashlib
import json
import lzma
import pathlib
import sys
import tarfile


class SbomError(Exception):
    pass


{func}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract_cpython", required=True, help="CPython source archive")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    try:
        extract_cpython_sbom(args.extract_cpython, args.output)
    except (SbomError, OSError) as err:
        print(f"error: {{err}}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
''')
sub("distribution/toolchains/cpython/distribution.bzl", '"_sbom": attr.label(default = "//tools:sbom"',
    '"_sbom": attr.label(default = "//tools:cpython_sbom"')

# Root python/: the build setting lives in the distribution (its transition resets it); users keep
# writing --@rules_pystatic//python:version (an alias, Bazel >= 7.2).
pathlib.Path("python/BUILD.bazel").write_text('''# Which Python build py_static_binary and py_static_interpreter use
# (distribution/toolchains/python_builds.bzl):
#   bazel build //app --platforms=@rules_pystatic//platforms:linux_musl --@rules_pystatic//python:version=3.13t
# A target's own `python_version` attribute overrides it (a transition). The setting itself is
# @pystatic_distribution//python:version: the distribution's transition resets it.

load("@pystatic_distribution//toolchains:python_builds.bzl", "PYTHON_BUILDS", "build_suffix")

package(default_visibility = ["//visibility:public"])

alias(
    name = "version",
    actual = "@pystatic_distribution//python:version",
)

# One per build, e.g. :is_3_13t; the runtime toolchains' target_settings.
[
    config_setting(
        name = "is_" + build_suffix(build),
        flag_values = {"@pystatic_distribution//python:version": build},
    )
    for build in PYTHON_BUILDS
]
''')
p = pathlib.Path("distribution/python/BUILD.bazel")
s = p.read_text()
a = s.index("# One per build")
s = s[:a].rstrip() + "\n"
s = s.replace('"DEFAULT_PYTHON_BUILD", "PYTHON_BUILDS", "build_suffix")', '"DEFAULT_PYTHON_BUILD", "PYTHON_BUILDS")')
s = s.replace("# A target's own `python_version` attribute overrides it (a transition).",
              "# A target's own `python_version` attribute overrides it (a transition). rules_pystatic's\n"
              "# //python:version is an alias of this setting.")
p.write_text(s)

# Root platforms/: the names users write, aliases of the distribution's (from the same table).
pathlib.Path("platforms").mkdir(exist_ok=True)
pathlib.Path("platforms/BUILD.bazel").write_text('''# Target platforms of rules_pystatic: the names users write. They are defined in the
# pystatic_distribution module (distribution/platforms, from the table of targets
# distribution/toolchains/targets.bzl), whose CPython build transitions to them. Your own platform
# works too if it carries the same constraints (os, cpu, and for Linux the libc).

load("@pystatic_distribution//toolchains:targets.bzl", "TARGETS")

package(default_visibility = ["//visibility:public"])

[
    alias(
        name = name,
        actual = "@pystatic_distribution//platforms:" + name,
    )
    for name in [target.platform for target in TARGETS.values()] + [
        "gnu",
        "libc",
        "musl",
        "windows_msvc",
    ]
]
''')

# Scripts run by the distribution's interpreter: PYTHONPATH holds both parts of `pystatic`.
ROOTS = '":".join({f.path[:f.path.rfind("/pystatic/")]: None for f in %s if "/pystatic/" in f.path}.keys())'
sub("toolchains/cpython/runtime.bzl",
    '    package_dir = [f for f in tool_files if f.basename == "__init__.py"][0].dirname\n', "")
sub("toolchains/cpython/runtime.bzl", '"PYTHONPATH": package_dir.rpartition("/")[0]', '"PYTHONPATH": ' + ROOTS % "tool_files")
sub("rules/private/sdist.bzl",
    '    package_dir = [f for f in ctx.files._pystatic_package if f.basename == "__init__.py"][0].dirname\n', "")
sub("rules/private/sdist.bzl", '"PYTHONPATH": package_dir.rpartition("/")[0]', '"PYTHONPATH": ' + ROOTS % "ctx.files._pystatic_package")
# wheel_repo.py is one directory deeper, and imports pystatic.common from the distribution module.
sub("rules/private/wheels_repository.bzl", "    tools_dir = rctx.path(_WHEEL_REPO_PY).dirname.dirname\n",
    "    tools_dirs = [rctx.path(_WHEEL_REPO_PY).dirname.dirname.dirname, rctx.path(_TARGETS_PY).dirname.dirname.dirname]\n")
sub("rules/private/wheels_repository.bzl", "pythonpath = [str(tools_dir)] +", "pythonpath = [str(d) for d in tools_dirs] +")
sub("rules/private/wheels_repository.bzl", '_VENDORED = [',
    '_TARGETS_PY = Label("@pystatic_distribution//tools:pystatic/common/targets.py")\n_VENDORED = [')
# Legacy WORKSPACE mode: the distribution module is a local repository.
sub("WORKSPACE", 'load("//rules:repositories.bzl"',
    'local_repository(\n    name = "pystatic_distribution",\n    path = "distribution",\n)\n\nload("//rules:repositories.bzl"')

# build_sdist's CC wrappers put every part of the `pystatic` namespace package on PYTHONPATH.
sub("tools/pystatic/packages/build_sdist.py", "tools=os.path.dirname(os.path.dirname(script))",
    'tools=os.pathsep.join(os.path.dirname(os.path.abspath(p)) for p in sys.modules["pystatic"].__path__)')

# Tests, bench and seed_sources import both tool roots.
for path in ["tests/tools/conftest.py", "tests/integration/conftest.py", "bench/run"]:
    p = pathlib.Path(path)
    s = p.read_text()
    s2 = re.sub(r'^(\s*)sys\.path\.insert\(0, str\((ROOT|REPO) / "tools"\)\)\n',
                r'\1sys.path.insert(0, str(\2 / "tools"))\n\1sys.path.insert(1, str(\2 / "distribution" / "tools"))\n', s, flags=re.M)
    if s2 == s:
        raise SystemExit(f"dev/relayout.sh: {path}: no sys.path line for tools/")
    p.write_text(s2)
# Tests that read the moved tables and MODULE files.
sub("tests/tools/test_build_dep.py", """    root = SOURCES_JSON.parents[2]
    deps = json.loads(SOURCES_JSON.read_text())["deps"]
    module = (root / "MODULE.bazel").read_text()
""", """    distribution, root = SOURCES_JSON.parents[2], SOURCES_JSON.parents[3]
    deps = json.loads(SOURCES_JSON.read_text())["deps"]
    # The module that builds them imports their repositories.
    module = (distribution / "MODULE.bazel").read_text()
""")
sub("tests/tools/test_build_dep.py", 'f"MODULE.bazel: use_repo(cpython, ...) lacks pystatic_dep_{dep}"',
    'f"distribution/MODULE.bazel: use_repo(cpython, ...) lacks pystatic_dep_{dep}"')
sub("tests/tools/test_targets.py",
    'for path in ("distribution/platforms/BUILD.bazel", "toolchains/BUILD.bazel", "toolchains/cpython/BUILD.bazel"):',
    """for path in ("distribution/platforms/BUILD.bazel", "platforms/BUILD.bazel", "toolchains/BUILD.bazel",
                 "toolchains/cpython/BUILD.bazel", "distribution/toolchains/cpython/BUILD.bazel"):""")
s = pathlib.Path("tools/seed_sources").read_text()
s = s.replace('PYTHONPATH="$repo/tools"', 'PYTHONPATH="$repo/tools:$repo/distribution/tools"')
pathlib.Path("tools/seed_sources").write_text(s)
PY

# Root tools/BUILD.bazel: one py_library, one py_binary per action script.
cat >tools/BUILD.bazel <<'EOF2'
package(default_visibility = ["//visibility:public"])

# The action scripts: the `pystatic` namespace package, one sub-package per phase (ARCHITECTURE.md);
# common/ and distribution/ are in the pystatic_distribution module (distribution/tools).
# Native py_* rules (Bazel 7): rules_python's toolchain would download an interpreter,
# while the native rules run the build machine's autodetected python3.
# buildifier: disable=native-py
py_library(
    name = "pystatic",
    srcs = glob(["pystatic/**/*.py"]),
    data = ["pystatic/packages/sdist_build/requirements.txt"],
    imports = ["."],
    deps = [
        "//third_party/packaging:licenses",
        "//third_party/pyelftools",
        "@pystatic_distribution//tools:pystatic",
    ],
)

[
    # buildifier: disable=native-py
    py_binary(
        name = name,
        srcs = ["pystatic/{}/{}.py".format(group, name)],
        # No generated __init__.py: `pystatic` is a namespace package over both tool roots.
        legacy_create_init = 0,
        main = "pystatic/{}/{}.py".format(group, name),
        deps = [":pystatic"],
    )
    for group, name in [
        ("binary", "resource_manifest"),
        ("binary", "pack_blob"),
        ("binary", "gen_glue"),
        ("binary", "verify_elf"),
        ("binary", "licenses"),
        ("binary", "sbom"),
        ("packages", "check_wheel"),
        ("packages", "build_native"),
        ("runtime", "merge_archives"),
        ("runtime", "sysconfig_data"),
    ]
]

# Run by the distribution's own interpreter (PyStaticStdlib, PyStaticSdist), not py_binary: the
# script and every file of `pystatic` (both parts) as inputs.
exports_files([
    "pystatic/binary/compile_bytecode.py",
    "pystatic/packages/build_sdist.py",
])

filegroup(
    name = "pystatic_srcs",
    srcs = glob(["pystatic/**/*.py"]) + ["@pystatic_distribution//tools:pystatic_srcs"],
)

alias(
    name = "compile_bytecode_srcs",
    actual = ":pystatic_srcs",
)

alias(
    name = "build_sdist_srcs",
    actual = ":pystatic_srcs",
)

# Run by the pystatic.wheels repository rule (not an action): the build machine's python3
# with pip, the vendored packaging and tomli on PYTHONPATH.
exports_files([
    "pystatic/packages/sdist_build/requirements.txt",
    "pystatic/repository/wheel_repo.py",
])

# The rule reference's renderer (docs/reference): a library for its tests, a binary for the action.
# buildifier: disable=native-py
py_library(
    name = "reference_md_lib",
    srcs = glob(["pystatic/docs/*.py"]),
    imports = ["."],
    deps = ["@pystatic_distribution//tools:pystatic"],
)

# buildifier: disable=native-py
py_binary(
    name = "reference_md",
    srcs = ["pystatic/docs/reference_md.py"],
    legacy_create_init = 0,
    main = "pystatic/docs/reference_md.py",
    deps = [":reference_md_lib"],
)

exports_files(["pystatic/docs/reference_md.py"])
EOF2
echo "dev/relayout.sh: done; review with git status, then format with buildifier -r . and commit" >&2
