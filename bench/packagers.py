"""bench/run's comparison with other packagers: examples/hello and examples/cli built with
py_static_binary, PyInstaller --onefile, Nuitka --onefile and as a zipapp (bench/peers.py): size,
cold build time, start-up, peak RSS, whether each runs in an empty root, in a Debian bullseye root
and on aarch64, and whether two builds are byte-identical."""

import os
import re
import shutil
import subprocess
import sys
import time

import peers
from bench_tools import CHARTS, DISTRIBUTION, MUSL, REPO, bazel, bazel_output, fmt_ratio, measure, progress, sha256

AARCH64 = "--platforms=//platforms:linux_musl_aarch64"
APPS = {"hello": "//examples/hello", "cli": "//examples/cli"}
START_ARGS = {"hello": [], "cli": ["--version"]}  # start-up: imports, argparse, exit
PYSTATIC = "py_static_binary"
# A cold build of the app: every action of the app and of the runtime it links (bytecode, stdlib
# selection, blob, glue, C compile and link, licences) runs, none comes from a cache; the CPython
# distribution and its C libraries (PyStaticCPython, PyStaticDep) come from the disk cache.
COLD = "--modify_execution_info=PyStatic(Manifest|Bytecode|Blob|Glue|Stdlib|MergeArchives|VerifyElf|Licenses)|Cpp(Compile|Link)|CcStrip=+no-cache"
NO_CROSS = "no: builds only for the machine it runs on"


def pystatic_cold_builds(workdir, reps):
    """Each app built cold (see COLD) in `reps` fresh output bases: {app: {"seconds", "sha"}}.
    The distribution is fetched from the disk cache first, untimed; `bazel clean` between apps."""
    results = {app: {"seconds": [], "sha": [], "error": None} for app in APPS}
    for rep in range(reps):
        base = workdir / f"output_base_{rep}"
        startup = (f"--output_base={base}", "--max_idle_secs=900")
        flags = (MUSL, "--symlink_prefix=/")  # no bazel-* links to this output base
        try:
            for i, (app, target) in enumerate(APPS.items()):
                progress(f"cold build of {target} with rules_pystatic ({rep + 1}/{reps}, output base {base})")
                if i:
                    bazel("clean", startup=startup)
                bazel("build", DISTRIBUTION, *flags, startup=startup)
                start = time.perf_counter()
                bazel("build", target, *flags, COLD, startup=startup)
                results[app]["seconds"].append(time.perf_counter() - start)
                results[app]["sha"].append(sha256(bazel_output(target, MUSL, startup, base / "execroot" / "_main")))
        finally:
            subprocess.run([str(REPO / "tools" / "bazel"), *startup, "clean", "--expunge"], cwd=REPO, capture_output=True)
            shutil.rmtree(base, ignore_errors=True)
    return results


def peer_builds(packagers, workdir, reps, venv_python, interpreter):
    """{(packager, app): {"seconds", "sha", "binary", "error"}}; the first build's binary is kept."""
    results = {}
    for packager in packagers:
        for app in APPS:
            r = results[(packager, app)] = {"seconds": [], "sha": [], "binary": None, "error": None}
            for rep in range(reps):
                progress(f"building {app} with {packager} ({rep + 1}/{reps})")
                work = workdir / f"{packager}-{app}-{rep}"
                try:
                    # The second build: another directory, and sources whose mtimes are an hour
                    # later (as in a second checkout of the same commit).
                    binary, seconds = peers.build(packager, app, work, venv_python, interpreter, mtime_shift=3600 * rep)
                except RuntimeError as error:
                    r["error"] = str(error)
                    progress(f"  failed: {error}")
                    break
                r["seconds"].append(seconds)
                r["sha"].append(sha256(binary))
                if rep == 0:
                    r["binary"] = workdir / "bin" / f"{app}-{packager}"
                    shutil.copy2(binary, r["binary"])
                shutil.rmtree(work, ignore_errors=True)
    return results


def bwrap_empty_root(binary, root, args):
    """A root holding only the binary as /app, plus mount points: /proc, /dev and a tmpfs /tmp are
    given, so that a onefile's extraction to /tmp is not what fails."""
    shutil.rmtree(root, ignore_errors=True)
    for d in ("proc", "dev", "tmp"):
        (root / d).mkdir(parents=True)
    shutil.copy2(binary, root / "app")
    return ["bwrap", "--ro-bind", str(root), "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--unshare-all", "--die-with-parent", "--clearenv", "/app", *args]


def bwrap_debian_root(binary, root, args):
    """The Debian root read-only, with a tmpfs /tmp; the binary as /opt/app (on a tmpfs /opt: the
    read-only root has no /app to bind onto)."""
    return ["bwrap", "--ro-bind", str(root), "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--tmpfs", "/opt", "--ro-bind", str(binary), "/opt/app", "--unshare-all", "--die-with-parent",
            "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "/opt/app", *args]


def runs_cell(cmd, app, binary, root=None):
    """'yes', or 'no: why' (the missing program interpreter, else the first line of stderr)."""
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "no: timed out"
    if result.returncode == 0:
        wrong = peers.check_output(app, result.stdout)
        return f"runs, but {wrong}" if wrong else "yes"
    interp = peers.elf_interpreter(binary)
    if root is not None and interp and not os.path.lexists(os.path.join(root, interp.lstrip("/"))):
        return f"no: needs {interp}"
    glibc = re.search(r"version `(GLIBC_[0-9.]+)' not found \(required by ([^)]+)\)", result.stderr)
    if glibc:
        return f"no: {os.path.basename(glibc[2])} (from the build host) needs {glibc[1]}"
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    return "no: " + (lines[0][:110] if lines else f"exit code {result.returncode}")


def md(text):
    return str(text).replace("|", "\\|")


PACKAGERS_HEADING = "## Against other packagers: examples/hello and examples/cli"


def packagers_section(args, out, workdir, python, note=""):
    debian = subprocess.run([str(REPO / "tools" / "debian_root"), "bullseye"], capture_output=True, text=True)
    if debian.returncode != 0:
        sys.exit(f"bench/run: tools/debian_root bullseye failed:\n{debian.stderr[-2000:]}")
    debian_root = debian.stdout.strip()
    qemu = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    reps = 1 if args.quick else 2

    peer_python = venv_python = None
    peer_version = "-"
    tool_versions = {}
    if args.packagers:
        try:
            peer_python, peer_version = peers.find_python(args.peer_python)
            venv_python = peers.ensure_venv(peer_python)
        except peers.Missing as error:
            sys.exit(f"bench/run: {error}")
        for module, name in (("PyInstaller", "PyInstaller"), ("nuitka.Version", "Nuitka")):
            code = f"import {module} as m; print(getattr(m, '__version__', None) or m.getNuitkaVersion())"
            tool_versions[name] = subprocess.run([venv_python, "-c", code], capture_output=True, text=True).stdout.strip()

    progress("building examples/hello and examples/cli for linux_musl and linux_musl_aarch64 (incremental)")
    bazel("build", *APPS.values(), MUSL)
    ours = {app: bazel_output(t, MUSL) for app, t in APPS.items()}
    bazel("build", *APPS.values(), AARCH64)
    ours_arm = {app: bazel_output(t, AARCH64) for app, t in APPS.items()}
    (workdir / "bin").mkdir(parents=True)
    rows = {}
    for app in APPS:
        binary = workdir / "bin" / f"{app}-pystatic"
        shutil.copy2(ours[app], binary)
        rows[(PYSTATIC, app)] = {"binary": binary, "seconds": [], "sha": [], "error": None}
    for app, r in pystatic_cold_builds(workdir, reps).items():
        rows[(PYSTATIC, app)].update(seconds=r["seconds"], sha=r["sha"])
        if len(set(r["sha"] + [sha256(ours[app])])) != 1:
            progress(f"note: {app}: the cold builds' sha256 differ from the cached build's")
    rows.update(peer_builds(args.packagers, workdir, reps, venv_python, peer_python))

    progress("checking where each binary runs")
    notes = []
    for (packager, app), r in rows.items():
        if r["error"]:
            continue
        cell = runs_cell([str(r["binary"]), *peers.CHECK_ARGS[app]], app, r["binary"])
        if cell.startswith("no"):
            r["error"] = f"fails on the build host: {cell}"
            continue
        if cell != "yes":
            notes.append(f"{app} with {peers.LABELS.get(packager, packager)}, on the build host: {cell if len(cell) < 160 else cell[:160] + '...'}")
        args_ = peers.CHECK_ARGS[app]
        r["empty"] = runs_cell(bwrap_empty_root(r["binary"], workdir / "root", args_), app, r["binary"], workdir / "root")
        r["debian"] = runs_cell(bwrap_debian_root(r["binary"], debian_root, args_), app, r["binary"], debian_root)
        if packager == PYSTATIC:
            r["aarch64"] = runs_cell([qemu, str(ours_arm[app]), *args_], app, ours_arm[app])
        elif packager == "zipapp":
            r["aarch64"] = "no: only sources; needs a Python 3.13 installed there"
        else:
            r["aarch64"] = NO_CROSS

    progress(f"start-up, {args.runs} runs each, interleaved")
    commands = {}
    for (packager, app), r in rows.items():
        if not r["error"]:
            commands[(packager, app)] = [str(r["binary"]), *START_ARGS[app]]
    baselines = {"python3": python, "python3.13": peer_python}
    for label, exe in baselines.items():
        if exe:
            commands[(label, None)] = [exe, "-I", "-S", "-c", "pass"]
    timing = measure(commands, args.runs, warmup=2, rss_runs=max(3, args.runs // 5))
    base_median = timing[("python3", None)][1]

    out(f"\n{PACKAGERS_HEADING}\n" + (f"\n{note}\n" if note else ""))
    out(f"The same sources built four ways in this run. Peers use Python {peer_version} (`{peer_python}`), "
        + ", ".join(f"{k} {v}" for k, v in tool_versions.items()) + "; py_static_binary embeds its own CPython 3.13 build.\n")
    out("| app | packager | size MB | cold build s | start-up min / median ms | vs `python3 -I -S -c pass` | peak RSS MB | empty root | Debian bullseye root | aarch64 | byte-reproducible |")
    out("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    order = [PYSTATIC, *args.packagers]
    for app in APPS:
        for packager in order:
            r = rows[(packager, app)]
            label = "**rules_pystatic**" if packager == PYSTATIC else peers.LABELS[packager]
            builds = " / ".join(f"{s:.0f}" if s >= 10 else f"{s:.1f}" for s in r["seconds"]) or "-"
            if r["error"]:
                out(f"| {app} | {label} | - | {builds} | - | - | - | - | - | - | failed: {md(r['error'])} |")
                continue
            low, median, kib = timing[(packager, app)]
            if len(r["sha"]) < 2:
                repro = "not checked (--quick)"
            else:
                repro = "yes" if len(set(r["sha"])) == 1 else "no: sha256 differ"
            mb = r["binary"].stat().st_size / 1e6
            out(f"| {app} | {label} | {mb:.1f}{'' if mb >= 0.1 else f' ({mb * 1000:.0f} kB)'} | {builds} | {low:.1f} / {median:.1f} | "
                f"{median / base_median:.2f}x | {kib / 1024:.1f} | {md(r['empty'])} | {md(r['debian'])} | {md(r['aarch64'])} | {repro} |")
    for label in baselines:
        if (label, None) in timing:
            low, median, kib = timing[(label, None)]
            out(f"| - | `{label} -I -S -c pass` | - | - | {low:.1f} / {median:.1f} | {median / base_median:.2f}x | {kib / 1024:.1f} | | | | |")

    label_of = lambda p: "rules_pystatic" if p == PYSTATIC else peers.LABELS[p]  # noqa: E731
    measured = [(p, app) for app in APPS for p in order if not rows[(p, app)]["error"] and (p, app) in timing]
    CHARTS.append({"file": "packagers-startup.svg", "log": True, "unit": "ms, median of the run (log scale)",
                   "title": "Start-up against other packagers (median ms, lower is better)",
                   "groups": [{"label": app, "bars": [{"label": label_of(p), "value": timing[(p, a)][1], "text": f"{timing[(p, a)][1]:.1f} ms"}
                                                      for p, a in measured if a == app]} for app in APPS]
                   + [{"label": "baseline", "bars": [{"label": f"{b} -I -S -c pass", "value": timing[(b, None)][1],
                                                      "text": f"{timing[(b, None)][1]:.1f} ms"} for b in baselines if (b, None) in timing]}]})
    CHARTS.append({"file": "packagers-size.svg", "unit": "MB", "title": "Size of the executable against other packagers (MB)",
                   "groups": [{"label": app, "bars": [{"label": label_of(p), "value": rows[(p, a)]["binary"].stat().st_size / 1e6}
                                                      for p, a in measured if a == app and p != "zipapp"]} for app in APPS]})

    out("")
    for app in APPS:
        if (PYSTATIC, app) not in timing:
            continue
        mine = timing[(PYSTATIC, app)][1]
        against = [f"{peers.LABELS[p].split(' (')[0]}: {fmt_ratio(mine, timing[(p, app)][1])}" for p in args.packagers if (p, app) in timing]
        if app == "hello":
            against.append(f"`python3 -I -S -c pass`: {fmt_ratio(mine, base_median)}")
        out(f"- {app}: rules_pystatic's start-up (median) vs " + "; ".join(against) + ".")
    for note in notes:
        out(f"- {md(note)}")

    hello_cmd = " ".join(["hello"] + START_ARGS["hello"])
    out(f"""
How each column is measured:

- **start-up**: `{hello_cmd}` prints two lines; `cli --version` imports everything `pystatic_cli.main` imports
  (argparse, ctypes, decimal, hashlib, importlib.metadata and .resources, json, ssl, zlib), parses
  arguments and exits. Every command of the table is run once per round, {args.runs} rounds (plus 2 warm-up
  rounds), with an empty environment; wall-clock from fork to wait4, min and median. hyperfine
  (installable with apt) was not used: it runs each command's runs back to back, and this machine
  is shared with other builds; the in-script timer interleaves. Onefile peers extract themselves to
  /tmp on every start (their default).
- **peak RSS**: GNU time's `%M` (wait4's `ru_maxrss`), median of {max(3, args.runs // 5)} runs: the largest single
  process of the tree (a onefile launcher and the Python it starts are not added up).
- **cold build**: wall-clock of each of the {reps} build(s) (each peer build in a fresh directory with fresh
  tool caches: `PYINSTALLER_CONFIG_DIR`, `NUITKA_CACHE_DIR`; no ccache; pip install not counted).
  rules_pystatic: a fresh output base per build; the CPython distribution (CPython and its C libraries
  built from source, minutes, built once per machine or remote cache) is fetched from the disk cache
  first, untimed; then `tools/bazel build //examples/APP {COLD}` is timed: the app's bytecode, the
  stdlib selection, the blob, the runtime's C compile and the static link all run, none from a cache.
  The Bazel server is warm from the fetch; zig's own cache of musl's libc objects is warm.
- **empty root**: `bwrap` with a read-only root holding only the binary as `/app` (plus `/proc`, `/dev` and
  a tmpfs `/tmp`, so a onefile's extraction is not what fails), no environment; `hello`, `cli info`.
- **Debian bullseye root**: `tools/debian_root bullseye` (debootstrap minbase, glibc 2.31, no Python) read-only,
  tmpfs `/tmp`, the binary bound as `/opt/app`. "yes" means the output was checked: hello's greeting;
  `cli info`'s distribution version, console_scripts, data files and motd equal what the sources hold.
- **aarch64**: rules_pystatic's `--platforms=//platforms:linux_musl_aarch64` build, run with qemu-aarch64-static;
  PyInstaller and Nuitka build only for the machine they run on (no cross-compilation).
- **byte-reproducible**: sha256 of two builds. rules_pystatic: two fresh output bases (different paths),
  every app action rerun (see cold build). Peers: two fresh directories; the second copy of the sources
  has mtimes one hour later, as a second checkout of the same commit would.
- **CLI with the peers**: the same package and data. The entry point `pystatic_cli.main:main` becomes a
  three-line launcher script (peers take a script); package data and the dist-info directory are added
  with `--add-data` (PyInstaller) / `--include-data-dir` (Nuitka), or are simply in the zip. PyInstaller and
  Nuitka bundle the build machine's shared libraries (libssl, libsqlite3, ...; Debian 12's), rules_pystatic
  links its own static ones. The zipapp's `#!` names the same Python 3.13 by absolute path.""")
