#!/usr/bin/env python3
"""Where each real application's start-up goes: callgrind of `--version`, per app, for the static
binary, a venv of the same CPython build importing from disk and a venv of Debian's python3.13.

  bench/apps_profile.py [--apps aws,black,...] [--no-write]
  (also `bench/run --only apps-profile [-- OPTIONS]`)

Instructions, not times: callgrind counts them the same on a loaded machine (hash randomisation moves a
run by about 0.1 %). Each run is split where the exit starts (`--dump-before=Py_FinalizeEx`): before it,
the shares docs/import-protocol.md names (unmarshalling, source compiled at run time, class creation,
the collector, interpreter start), inclusive, from the symbols of binaries built `--strip=never`;
after it, the exit (finalisation: its full collections). Debian's python3.13 is stripped, so of its
runs only the total, the start and the exit are known. Every command runs in one bwrap sandbox of a
Debian trixie root with python3.13 and valgrind (bench/apps.py's sandbox, venvs and inputs); writes its
section of bench/results.md, with what stands between each app and issue 28's goal (0.7x the venv of
Debian's python3.13).
"""

import argparse
import datetime
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import apps  # noqa: E402
import apps_peers  # noqa: E402
import bench_tools  # noqa: E402
import peers  # noqa: E402

HEADING = "## Where the real applications' start-up goes (callgrind)"
MUSL = apps.MUSL
SYMBOLS = "--strip=never"
GOAL = 0.7
# (key, what it is, functions whose inclusive instructions before the exit it sums). Inclusive, so they
# overlap where one runs inside another: the interpreter's start unmarshals the modules it imports.
SHARES = (
    ("unmarshal", "unmarshalling bytecode", ("PyMarshal_ReadObjectFromString", "marshal_loads")),
    ("compile", "source compiled at run time (`compile`, `exec` of a string)", ("_PyParser_ASTFromString", "_PyAST_Compile")),
    ("classes", "class creation (`type_new`)", ("type_new",)),
    ("gc", "the collector during the run", ("gc_collect_main",)),
    ("start", "interpreter start (`Py_InitializeFromConfig`)", ("Py_InitializeFromConfig",)),
    # The importer's own: what the build compressed (cold bytecode, sources, data) and the run reads.
    ("zstd", "zstd decompression of the blob's payloads", ("pystatic_zstd_decompress",)),
)
BUILDS = {"static": "rules_pystatic", "venv-static": "venv, the same build from disk", "venv": "venv, Debian's python3.13"}
LINE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$")
# ThinLTO renames the local functions it promotes: gc_collect_main.llvm.17218307322342505811.
LTO_SUFFIX = re.compile(r"\.llvm\.\d+$")
# Where the exit starts: Py_FinalizeEx, which the static build's LTO made a jump to
# _Py_Finalize.llvm.<n>; Debian's python3.13 has no symbol for either on that path, so its split is
# its first collection at exit (PyGC_Collect, after atexit and the threads: well under 1 M).
EXIT_STARTS = ("Py_FinalizeEx", "_Py_Finalize*", "PyGC_Collect")


def say(message):
    print(f"bench/apps_profile.py: {message}", file=sys.stderr, flush=True)


def inclusive(annotated):
    """{function: inclusive instructions} from `callgrind_annotate --inclusive=yes` output, and the
    total. A function's outermost call only (callgrind names deeper recursion levels `name'2`, whose
    costs it already counts in the outer one); where two objects have one name, the larger."""
    costs, total = {}, None
    for text in annotated.splitlines():
        match = LINE.match(text)
        if not match:
            continue
        value, rest = int(match.group(1).replace(",", "")), match.group(2)
        if rest == "PROGRAM TOTALS":
            total = value
            continue
        name = re.sub(r" \[[^\]]*\]$", "", rest).rpartition(":")[2]
        if "'" in name:
            continue
        name = LTO_SUFFIX.sub("", name)
        costs[name] = max(value, costs.get(name, 0))
    if total is None:
        raise ValueError("no PROGRAM TOTALS line: not callgrind_annotate's output")
    return costs, total


def annotate(path):
    result = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(path)],
                            capture_output=True, text=True, check=True)
    return inclusive(result.stdout)


def symbols(binary):
    """The function names `binary` has symbols for (its symbol table, else its dynamic one)."""
    names = set()
    for flags in ([], ["-D"]):
        result = subprocess.run(["nm", "--defined-only", *flags, str(binary)], capture_output=True, text=True)
        names.update(LTO_SUFFIX.sub("", line.split()[-1]) for line in result.stdout.splitlines() if len(line.split()) == 3)
    return names


def profile(parts, known):
    """One run's figures from its callgrind files: the part before the exit and the parts after it
    (None when the run was not split). A share is None unless `known` (the binary's symbols) has all
    its functions: a stripped binary's missing function would count as 0."""
    before, total_before = annotate(parts[0])
    exit_ = sum(annotate(part)[1] for part in parts[1:]) if len(parts) > 1 else None
    shares = {}
    for key, _, functions in SHARES:
        shares[key] = sum(before.get(f, 0) for f in functions) if set(functions) <= known else None
    return {"total": total_before + (exit_ or 0), "exit": exit_, **shares}


def run_callgrind(sandbox, argv, out):
    """argv under callgrind in the sandbox, split at the exit; the callgrind files, in order."""
    cmd = ["valgrind", "--tool=callgrind", *(f"--dump-before={f}" for f in EXIT_STARTS), f"--callgrind-out-file={out}",
           *argv]
    result = subprocess.run(sandbox.argv(cmd, writable=True), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} under callgrind exited {result.returncode}: {result.stderr[-800:]}")
    # --dump-before writes <out>.1, ... for the parts it dumps and <out> for the rest at exit.
    dumps = sorted(out.parent.glob(out.name + ".*"), key=lambda p: int(p.suffix[1:]))
    return [*dumps, out] if dumps else [out]


def build(app_names, workdir):
    """{app: binary} and the interpreter, built with their symbols (copies the sandbox can see)."""
    targets = [f"//bench/apps:{a}" for a in app_names] + ["//examples/python"]
    bench_tools.bazel("build", *targets, MUSL, SYMBOLS)
    files = bench_tools.bazel("cquery", f"set({' '.join(targets)})", MUSL, SYMBOLS, "--output=files").split()
    copies = {}
    for name in [*app_names, "python"]:
        built = (REPO / next(f for f in files if f.rpartition("/")[2] == name)).resolve()
        copies[name] = workdir / "bin" / name
        copies[name].parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, copies[name])
    return copies


def remains(app, figures):
    """One sentence: how far the static build is from GOAL x Debian's venv, against its largest shares."""
    ours, theirs = figures["static"], figures.get("venv")
    if not theirs:
        return f"{app}: the venv of Debian's python3.13 was not measured."
    gap = ours["total"] - GOAL * theirs["total"]
    if gap <= 0:
        return f"{app}: at {ours['total'] / theirs['total']:.2f}, within {GOAL}x."
    parts = [("the exit", ours["exit"])] + [(what, ours[key]) for key, what, _ in SHARES if key not in ("start", "zstd")]
    parts = [(what, value) for what, value in parts if value]
    parts.sort(key=lambda p: -p[1])
    named = ", ".join(f"{what} {value / 1e6:.0f} M" for what, value in parts[:3])
    importer = ""
    if figures.get("venv-static"):
        saved = figures["venv-static"]["total"] - ours["total"]
        importer = f" Importing from the binary instead of from disk saves {saved / 1e6:.0f} M of the same build's run."
    if ours.get("zstd"):
        importer += f" Decompressing costs {ours['zstd'] / 1e6:.1f} M of that run (what the build judged cold)."
    return (f"{app}: {ours['total'] / theirs['total']:.2f} of Debian's instructions; {GOAL}x needs {gap / 1e6:.0f} M "
            f"fewer, {100 * gap / ours['total']:.0f} % of the run, where the largest shares are {named}, work the "
            f"venv does alike.{importer}")


def report(out, app_names, figures, failed):
    out(HEADING)
    out()
    out(f"Measured {datetime.date.today()} by `bench/apps_profile.py` (`bench/run --only apps-profile`): callgrind "
        "of `--version`, one run each (instructions vary by about 0.1 % between runs), the binaries built "
        f"`{SYMBOLS}` for their symbols, all in one `bwrap` sandbox of a Debian trixie root. M: millions of "
        "instructions. Shares are of each run, inclusive (they overlap where one runs inside another: the "
        "interpreter's start unmarshals what it imports); the exit is everything from `Py_FinalizeEx` on "
        "(Debian's: from its first collection there, after atexit). Debian's python3.13 is stripped: a share is "
        "shown only where the binary has symbols for all its functions (its exported ones).")
    out()
    out("| app | build | instructions | vs Debian's venv | exit | unmarshalling | run-time compile | class creation "
        "| collector (run) | interpreter start | zstd |")
    out("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for app in app_names:
        for build_, label in BUILDS.items():
            row = figures.get(app, {}).get(build_)
            if row is None:
                out(f"| {app} | {label} | failed: {failed.get((app, build_), 'not run')[:160]} | | | | | | | | |")
                continue
            theirs = figures[app].get("venv")
            ratio = f"{row['total'] / theirs['total']:.2f}" if theirs and build_ != "venv" else ""

            def share(value):
                return "" if value is None else f"{value / 1e6:.0f} M ({100 * value / row['total']:.0f} %)"
            out(f"| {app} | {label} | {row['total'] / 1e6:.0f} M | {ratio} | {share(row['exit'])} | "
                + " | ".join(share(row[key]) for key in ("unmarshal", "compile", "classes", "gc", "start", "zstd")) + " |")
    out()
    out("What remains against the goal (issue 28: `--version` at most 0.7x the venv of Debian's python3.13), per app:")
    out()
    for app in app_names:
        if "static" in figures.get(app, {}):
            out(f"- {remains(app, figures[app])}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", default=",".join(apps.APPS), help=f"comma-separated subset of {','.join(apps.APPS)}")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    app_names = [a for a in args.apps.split(",") if a]
    unknown = set(app_names) - set(apps.APPS)
    if unknown:
        parser.error(f"unknown app(s) {', '.join(sorted(unknown))}; choose from {', '.join(apps.APPS)}")
    for tool in ("valgrind", "callgrind_annotate", "bwrap"):
        if not shutil.which(tool):
            sys.exit(f"bench/apps_profile.py: {tool} is not installed (apt-get install valgrind bubblewrap)")
    made = subprocess.run([str(REPO / "tools" / "debian_root"), "trixie", "python3.13", "valgrind"],
                          capture_output=True, text=True)
    if made.returncode != 0:
        sys.exit(f"bench/apps_profile.py: tools/debian_root trixie python3.13 valgrind failed:\n{made.stderr[-2000:]}")
    lines = []

    def out(line=""):
        print(line, flush=True)
        lines.append(line)

    venv_python = peers.ensure_venv(peers.find_python()[0])  # its pip installs the locks' wheels
    figures, failed = {}, {}
    with tempfile.TemporaryDirectory(prefix="rules_pystatic-apps-profile-", ignore_cleanup_errors=True) as tmp:
        workdir = pathlib.Path(tmp)
        apps_peers.write_inputs(workdir / "data")
        say("building " + ", ".join(app_names) + f" and //examples/python with Bazel ({SYMBOLS})")
        binaries = build(app_names, workdir)
        root = made.stdout.strip()
        sandbox = apps.Sandbox(root, workdir)
        known = {"static": set.intersection(*(symbols(binaries[a]) for a in app_names)),
                 "venv-static": symbols(binaries["python"]), "venv": symbols(f"{root}/usr/bin/python3.13")}
        say("making the venvs")
        commands = {(app, "static"): [binaries[app]] for app in app_names}
        for name, python, site_of in (("venv", "/usr/bin/python3.13", lambda lock: apps_peers.site(venv_python, lock)),
                                      ("venv-static", binaries["python"], lambda lock: apps_peers.musl_site(venv_python, lock))):
            for app, script in apps.make_venvs(app_names, sandbox, python, site_of, name).items():
                commands[(app, name)] = [script.parent / "python", script]
        (workdir / "callgrind").mkdir()
        for (app, build_), argv in sorted(commands.items()):
            say(f"callgrind: {app}, {BUILDS[build_]}")
            try:
                parts = run_callgrind(sandbox, [*argv, "--version"], workdir / "callgrind" / f"{build_}-{app}")
                figures.setdefault(app, {})[build_] = profile(parts, known[build_])
            except (RuntimeError, subprocess.CalledProcessError, ValueError) as error:
                failed[(app, build_)] = str(error).replace("\n", " ").replace("|", "\\|")
                say(f"  failed: {error}")
    report(out, app_names, figures, failed)
    if not args.no_write:
        bench_tools.replace_section(HEADING, "\n".join(lines), after=apps.HEADING)
        say("updated bench/results.md")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
