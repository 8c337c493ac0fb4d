"""Each action's inputs are its script's own closure: an edit to one script re-keys only its actions.

The libraries are generated from the imports (actions/libraries.bzl, distribution/actions/libraries.bzl;
tests/actions/test_import_graph.py checks them against the sources). Here Bazel itself is asked: the
`pystatic` files a tool depends on (`bazel cquery`) and an interpreter-run action's inputs (`bazel
aquery`) are exactly its script's closure, and appending a comment to binary/sbom.py changes the
keys of the SBOM actions only, none of the C libraries', CPython's or the standard library's.
Analysis only, nothing is built.
"""

import ast
import collections
import json
import re

import pytest

from harness import REPO

MUSL = "--platforms=//platforms:linux_musl"
PARTS = {"": REPO / "actions", "@pystatic_distribution": REPO / "distribution" / "actions"}
# Scripts run by py_binary tools (//actions:<name>, @pystatic_distribution//actions:<name>).
TOOLS = {
    "//actions:resource_manifest": "binary.resource_manifest",
    "//actions:pack_blob": "binary.pack_blob",
    "//actions:pack_exe": "binary.pack_exe",
    "//actions:gen_glue": "binary.gen_glue",
    "//actions:verify_elf": "binary.verify_elf",
    "//actions:native_exports": "binary.native_exports",
    "//actions:check_native_exports": "binary.check_native_exports",
    "//actions:licenses": "binary.licenses",
    "//actions:sbom": "binary.sbom",
    "//actions:build_native": "packages.build_native",
    "//actions:ensurepip_source": "runtime_toolchain.ensurepip_source",
    "//actions:merge_archives": "runtime_toolchain.merge_archives",
    "//actions:sysconfig_data": "runtime_toolchain.sysconfig_data",
    "@pystatic_distribution//actions:build_dep": "distribution.build_dep",
    "@pystatic_distribution//actions:build_cpython": "distribution.build_cpython",
    "@pystatic_distribution//actions:build_extra_dep": "distribution.build_extra_dep",
    "@pystatic_distribution//actions:build_extra_builtins": "distribution.build_extra_builtins",
    "@pystatic_distribution//actions:cpython_sbom": "distribution.cpython_sbom",
    "@pystatic_distribution//actions:zig_runtime": "distribution.zig_runtime",
}


def _table(part_root):
    text = (part_root / "libraries.bzl").read_text()
    return ast.literal_eval(re.search(r"^PYSTATIC_MODULES = (\{.*?^\})", text, re.S | re.M).group(1))


MODULES = {}
for _repo, _root in PARTS.items():
    for _module, _deps in _table(_root).items():
        MODULES[_module] = (_root, [d for d in _deps if not d.startswith(("//", "@"))])


def closure(module):
    """The files (relative to the repository) of a module and everything it imports, __init__s included."""
    files, todo = set(), [module]
    while todo:
        name = todo.pop()
        root, deps = MODULES[name]
        packages = name.split(".")[:-1]
        inits = [f"pystatic/{'/'.join(packages[:i + 1])}/__init__.py" for i in range(len(packages))]
        for rel in (f"pystatic/{name.replace('.', '/')}.py", *inits):
            path = (root / rel).relative_to(REPO)
            if str(path) not in files:
                files.add(str(path))
                todo.extend(deps)
    return files


def _pystatic_file(label_or_path):
    """`actions/pystatic/x/y.py` for a query label or an execution path of a `pystatic` file, else None."""
    match = re.search(r"(?:^|/)(?:external/)?(@{0,2}pystatic_distribution~?/|@{0,2}pystatic_distribution//)?(actions)[:/](pystatic/.+\.py)$",
                      label_or_path)
    if not match:
        return None
    return ("distribution/" if match.group(1) else "") + f"actions/{match.group(3)}"


def _query_files(bazel, label):
    out = bazel.run("cquery", f'kind("source file", deps({label}))', "--noimplicit_deps").stdout.splitlines()
    return {f for f in (_pystatic_file(line.partition(" ")[0]) for line in out) if f}


@pytest.mark.parametrize("label", sorted(TOOLS))
def test_a_tool_depends_on_its_scripts_closure_only(bazel, label):
    assert _query_files(bazel, label) == closure(TOOLS[label])


def _actions(bazel, query, *flags, env=False):
    result = bazel.run("aquery", query, MUSL, *flags, "--output=jsonproto")
    graph = json.loads(result.stdout)
    artifacts = {a["id"]: a for a in graph.get("artifacts", [])}
    fragments = {f["id"]: f for f in graph.get("pathFragments", [])}
    depsets = {d["id"]: d for d in graph.get("depSetOfFiles", [])}

    def path(fragment_id):
        parts = []
        while fragment_id:
            fragment = fragments[fragment_id]
            parts.append(fragment["label"])
            fragment_id = fragment.get("parentId")
        return "/".join(reversed(parts))

    def inputs(ids):
        seen, todo, files = set(), list(ids), set()
        while todo:
            d = depsets[todo.pop()]
            if d["id"] in seen:
                continue
            seen.add(d["id"])
            files.update(path(artifacts[a]["pathFragmentId"]) for a in d.get("directArtifactIds", []))
            todo.extend(d.get("transitiveDepSetIds", []))
        return files

    if env:
        return [(a["mnemonic"], inputs(a.get("inputDepSetIds", [])), {e["key"]: e["value"] for e in a.get("environmentVariables", [])})
                for a in graph.get("actions", [])]
    return [(a["mnemonic"], a["actionKey"], inputs(a.get("inputDepSetIds", []))) for a in graph.get("actions", [])]


@pytest.mark.parametrize("mnemonic,script,target", [("PyStaticStdlib", "binary.compile_bytecode", "//examples/hello"),
                                                    ("PyStaticBytecode", "binary.compile_bytecode", "//examples/hello"),
                                                    ("PyStaticWheel", "packages.check_wheel", "//examples/wheels")])
def test_an_interpreter_run_action_gets_its_scripts_closure_only(bazel, mnemonic, script, target):
    actions = _actions(bazel, f'mnemonic("{mnemonic}", deps({target}))')
    assert actions, mnemonic
    for _, _, inputs in actions:
        assert {f for f in map(_pystatic_file, inputs) if f} == closure(script)


def test_editing_the_sbom_writer_reruns_only_the_sbom_actions(bazel, tmp_path):
    # aquery's action keys hold input paths, not contents: what an edit costs is measured by
    # building (Bazel's cache keys hold the contents; a py_binary tool's runfiles count whole).
    sbom = REPO / "actions/pystatic/binary/sbom.py"
    graph = collections.Counter(m for m, _, _ in _actions(bazel, "deps(//examples/hello)"))
    assert graph["PyStaticDep"] >= 8 and graph["PyStaticCPython"] >= 1 and graph["PyStaticStdlib"] >= 1, graph
    bazel.run("build", "//examples/hello", MUSL)
    original = sbom.read_bytes()
    try:
        sbom.write_bytes(original + b"\n# an edit (tests/integration/test_action_inputs.py)\n")
        spawns = bazel.build_spawns(tmp_path / "exec.json", "//examples/hello", MUSL)
    finally:
        sbom.write_bytes(original)
    # Every action whose key the edit changed is in the log, run or served by the disk cache (an
    # earlier run of this test may have stored the edited script's outputs there).
    rerun = collections.Counter(spawn["mnemonic"] for spawn in spawns)
    # The C libraries, CPython, its SBOM and the standard library are in the graph and stay cached.
    assert set(rerun) == {"PyStaticSbom", "PyStaticLicensePolicy"}, rerun
    print(f"an edit of binary/sbom.py re-keyed {sum(rerun.values())} of {sum(graph.values())} actions: {dict(rerun)}")


# What every zig action needs (docs/remote-execution.md): zig, its lib/ and, for links, the prebuilt
# runtime, all declared; compiles only zig and the headers. The distribution's scripts and
# configure/make actions also get the fingerprint of the build machine's python3, make, perl, ...
# so a change of any re-keys them.
ZIG_HEADERS = ("ziglang/lib/include/stddef.h", "ziglang/lib/libc/include/generic-musl/stdio.h",
               "ziglang/lib/libc/include/x86_64-linux-musl/bits/alltypes.h")
ZIG_SOURCE = "ziglang/lib/libc/musl/src/stdio/printf.c"
RUNTIME = "runtime/x86_64-linux-musl/"
RUNTIME_VAR = "PYSTATIC_ZIG_RUNTIME_x86_64_linux_musl"
FINGERPRINT = "pystatic_exec_tools/fingerprint.txt"


def _has(inputs, suffix):
    return any(f.endswith(suffix) for f in inputs)


def test_every_zig_action_declares_zigs_lib_the_runtime_and_the_exec_tools(bazel):
    actions = _actions(bazel, 'mnemonic("CppCompile|CppLink|PyStaticDep|PyStaticCPython|PyStaticZigRuntime", deps(//examples/hello))',
                       env=True)
    # C actions of the zig toolchain (the host's toolchain compiles exec-configuration tools, if any).
    actions = [a for a in actions if not a[0].startswith("Cpp") or _has(a[1], "/bin/cc-x86_64-linux-musl")]
    seen = collections.Counter(m for m, _, _ in actions)
    assert seen["CppCompile"] and seen["CppLink"] and seen["PyStaticDep"] >= 8 and seen["PyStaticCPython"] and \
        seen["PyStaticZigRuntime"], seen
    for mnemonic, inputs, env in actions:
        assert _has(inputs, "ziglang/zig"), mnemonic
        for header in ZIG_HEADERS:
            assert _has(inputs, header), (mnemonic, header)
        assert not _has(inputs, "ziglang/lib/libc/glibc/abilists"), f"{mnemonic}: other targets' libcs are left out"
        runtime = sorted(f for f in inputs if RUNTIME in f)
        if mnemonic == "CppCompile":
            # A compile reads headers: no libc sources, no runtime (a worker stages every input file).
            assert not _has(inputs, ZIG_SOURCE) and runtime == [], (mnemonic, runtime)
            continue
        assert _has(inputs, ZIG_SOURCE), mnemonic
        if mnemonic == "PyStaticZigRuntime":
            assert _has(inputs, FINGERPRINT), mnemonic
            continue
        assert [f.rpartition("/")[2] for f in runtime] == ["crt1.o", "libc.a", "libcompiler_rt.a", "libubsan_rt.a", "libzigc.a"], (mnemonic, runtime)
        # The wrapper links the runtime the variable names: the same directory as the inputs.
        assert env.get(RUNTIME_VAR) == runtime[0].rpartition("/")[0], (mnemonic, env)
        if mnemonic in ("PyStaticDep", "PyStaticCPython"):
            assert _has(inputs, FINGERPRINT), mnemonic


def test_windows_links_use_the_prebuilt_mingw_runtime_and_declare_mingws_def_files(bazel):
    """windows-gnu links take mingw-w64's CRT, zig's libc parts, compiler_rt and the default import
    libraries from their PyStaticZigRuntime (built once, not in every link: about 90 s each); the
    import libraries of other -l names zig writes from lib/libc/mingw's .def files, a declared input."""
    actions = _actions(bazel, 'mnemonic("CppLink|PyStaticZigRuntime", deps(//tests/toolchains:windows_hello))',
                       "--platforms=//platforms:windows_x86_64", env=True)
    # The windows toolchain's links (the host's toolchain links exec-configuration tools, if any).
    actions = [a for a in actions if a[0] != "CppLink" or _has(a[1], "/bin/cc-x86_64-windows-gnu")]
    assert sorted(m for m, _, _ in actions) == ["CppLink", "PyStaticZigRuntime"], actions
    for mnemonic, inputs, env in actions:
        assert _has(inputs, "ziglang/zig") and _has(inputs, "ziglang/lib/libc/mingw/crt/crtexe.c"), mnemonic
        if mnemonic == "PyStaticZigRuntime":
            continue
        assert _has(inputs, "/bin/cc-x86_64-windows-gnu") and _has(inputs, "ziglang/lib/libc/mingw/lib-common/ws2_32.def.in"), mnemonic
        runtime = sorted(f for f in inputs if "/runtime/x86_64-windows-gnu/" in f)
        names = {f.rpartition("/")[2] for f in runtime}
        assert {"crt2.obj", "crt2u.obj", "libmingw32.lib", "zigc.lib", "compiler_rt.lib", "kernel32.lib"} <= names, names
        assert env.get("PYSTATIC_ZIG_RUNTIME_x86_64_windows_gnu") == runtime[0].rpartition("/")[0], env


def test_the_exec_tools_fingerprint_names_the_tools_actions_run(bazel):
    fingerprint = bazel.build_file("@pystatic_exec_tools//:fingerprint.txt")
    rows = {}
    for line in fingerprint.read_text().splitlines():  # the first row of a name: path and sha256
        rows.setdefault(line.split()[0], line.split()[1:])
    for tool in ("sh", "make", "perl", "autoconf", "automake", "libtoolize", "pkgconf", "patch"):
        path, digest = rows[tool]
        assert path.startswith("/") and re.fullmatch(r"[0-9a-f]{64}", digest), (tool, rows[tool])
    # The python3 of actions (strict action env PATH), not a shim of the caller's PATH.
    assert rows["python3"][0].startswith(("/usr/", "/bin/")) and "shims" not in rows["python3"][0], rows["python3"]
