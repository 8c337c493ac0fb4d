#!/usr/bin/env python3
"""Real applications from hashed locks: py_static_binary's defaults against a venv of Debian's python3.13,
PyInstaller --onefile and Nuitka --onefile, side by side in one run.

  bench/apps.py [--runs N] [--quick] [--apps aws,black,...] [--packagers pyinstaller,nuitka]
                [--nuitka-timeout MIN] [--kept-only nuitka] [--no-write]
  (also `bench/run --only apps [--quick] -- OPTIONS`)

The apps are bench/apps/BUILD.bazel's (default attributes, locks bench/apps/*.txt). Compared:
  - rules_pystatic: the Bazel build for linux_musl;
  - venv: Debian trixie's python3.13 (`tools/debian_root trixie python3.13`) with a venv holding the
    same versions (manylinux wheels, installed by pip with --no-deps from the lock's pins), bytecode
    compiled by that python first, console scripts as pip writes them;
  - venv of the same build: a venv of //examples/python (py_static_interpreter: this CPython build,
    importing from disk, bytecode compiled first) holding the lock's own musllinux wheels;
  - PyInstaller --onefile and Nuitka --onefile (bench/peers.py's venv and Python 3.13) of the same
    versions, each with the options the app needs to find its data (bench/apps_peers.py).
Every command runs in the same bwrap sandbox (the trixie root read-only, a tmpfs /tmp, HOME a kept
directory), commands interleaved; min and median of N runs. Writes its section of bench/results.md.
"""

import argparse
import datetime
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.machinery import SourceFileLoader

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
BENCH_RUN = SourceFileLoader("bench_run", str(REPO / "bench" / "run")).load_module()
import apps_peers  # noqa: E402
import bench_tools  # noqa: E402
import peers  # noqa: E402

HEADING = "## Real applications from a lock: awscli, black, httpie, sphinx, ipython, check-jsonschema"
MUSL = "--platforms=//platforms:linux_musl"
APPS = apps_peers.APPS


def say(message):
    print(f"bench/apps.py: {message}", file=sys.stderr, flush=True)


def build_ours(apps, workdir):
    """{app: copy of the bazel-built binary}."""
    targets = [f"//bench/apps:{a}" for a in apps]
    bench_tools.bazel("build", *targets, MUSL)
    files = bench_tools.bazel("cquery", f"set({' '.join(targets)})", MUSL, "--output=files").split()
    out = {}
    for app in apps:
        binary = (REPO / next(f for f in files if f.rpartition("/")[2] == app)).resolve()
        out[app] = workdir / "bin" / f"{app}-pystatic"
        out[app].parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(binary, out[app])
    return out


def build_interpreter(workdir):
    """A copy of //examples/python (py_static_interpreter) in the work directory, which the sandbox sees."""
    bench_tools.bazel("build", "//examples/python", MUSL)
    copy = workdir / "bin" / "python-static"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(bench_tools.bazel_output("//examples/python", MUSL), copy)
    return copy


def debian_root():
    made = subprocess.run([str(REPO / "tools" / "debian_root"), "trixie", "python3.13"], capture_output=True, text=True)
    if made.returncode != 0:
        sys.exit(f"bench/apps.py: tools/debian_root trixie python3.13 failed:\n{made.stderr[-2000:]}")
    return made.stdout.strip()


class Sandbox:
    """bwrap with the trixie root read-only, the work directory at its own path, HOME kept."""

    def __init__(self, root, workdir):
        self.root, self.workdir = root, workdir
        self.home = workdir / "home"
        self.home.mkdir(exist_ok=True)

    def argv(self, cmd, writable=False):
        return ["bwrap", "--ro-bind", self.root, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                "--bind" if writable else "--ro-bind", str(self.workdir), str(self.workdir),
                "--bind", str(self.home), "/tmp/home", "--chdir", str(self.workdir / "data"),
                # No PID namespace: bwrap then waits for the command itself, so its CPU time reaches wait4.
                "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--clearenv", "--setenv", "HOME", "/tmp/home",
                "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
                "--setenv", "AWS_DEFAULT_REGION", "us-east-1", *map(str, cmd)]


def make_venvs(apps, sandbox, python, site_of, name):
    """{app: its console script in a venv of `python` holding site_of(lock)}; one venv per lock, named
    `<name>-<lock>`, its bytecode compiled on disk first (as after a first run, by its own python)."""
    scripts = {}
    for lock in sorted({APPS[a]["lock"] for a in apps}):
        venv = sandbox.workdir / f"{name}-{lock}"
        subprocess.run(sandbox.argv([python, "-m", "venv", "--without-pip", venv], writable=True), check=True)
        site = venv / "lib" / "python3.13" / "site-packages"
        apps_peers.install(site_of(lock), site)
        subprocess.run(sandbox.argv([venv / "bin" / "python", "-m", "compileall", "-q", "-j0", site], writable=True),
                       check=True, capture_output=True)
        for app in apps:
            if APPS[app]["lock"] == lock:
                scripts[app] = venv / "bin" / app
                scripts[app].write_text(f"#!{venv}/bin/python\n{apps_peers.launcher(app)}")
                scripts[app].chmod(0o755)
    return scripts


def time_once(argv, clock):
    """ms of one run: wall clock, or CPU time (user + system) of the process and the descendants it
    waited for (the sandbox's processes, a onefile's unpacked child), as wait4 reports it."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv[-4:]))} exited {proc.returncode}: {stderr.decode(errors='replace')[-500:]}")
    return 1000 * (elapsed if clock == "wall" else usage.ru_utime + usage.ru_stime)


def measure(commands, runs, clock):
    """{key: [ms...]}; the commands interleaved, the order rotated each round; a failing one dropped."""
    samples = {k: [] for k in commands}
    failed = {}
    keys = list(commands)
    for round_ in range(runs + 1):  # the first round warms the page cache
        order = keys[round_ % len(keys):] + keys[:round_ % len(keys)]
        for key in order:
            if key in failed:
                continue
            try:
                value = time_once(commands[key], clock)
            except RuntimeError as error:
                failed[key] = str(error)
                continue
            if round_:
                samples[key].append(value)
    return samples, failed


def check(argv, app):
    """'' when the app's real command prints what it should, else why not."""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        return f"exit {result.returncode}: {lines[-1][:160] if lines else ''}"
    return apps_peers.check_output(app, result.stdout)


def dir_size(path):
    return sum(p.stat().st_size for p in pathlib.Path(path).rglob("*") if p.is_file() and not p.is_symlink())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="runs per command (default 15, 5 with --quick)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--apps", default=",".join(APPS), help=f"comma-separated subset of {','.join(APPS)}")
    parser.add_argument("--packagers", default="pyinstaller,nuitka", help="comma-separated subset of pyinstaller,pyinstaller-strip,nuitka")
    parser.add_argument("--nuitka-timeout", type=float, default=60,
                        help="minutes a Nuitka build may take (default 60: httpie took 22 min on 2 shared cores; a built binary is kept)")
    parser.add_argument("--kept-peers-only", action="store_true",
                        help="build no peer: measure those kept from earlier runs (or built apart), name the others")
    parser.add_argument("--kept-only", default="", metavar="PACKAGERS",
                        help="as --kept-peers-only for these packagers only (e.g. nuitka, whose builds take minutes "
                        "to an hour each: build them apart beforehand), the others built as usual")
    parser.add_argument("--rebuild-peers", action="store_true",
                        help="build the PyInstaller and Nuitka binaries again (default: those of an earlier run, kept per lock)")
    parser.add_argument("--compare", metavar="DIR",
                        help="also measure the binaries named like the apps in DIR (e.g. built at another commit), as the row 'before'")
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                        help="cpu (default): user + system time of the command's processes, which other builds sharing "
                        "the cores change far less than wall time; wall: elapsed time")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 15)
    apps = [a for a in args.apps.split(",") if a]
    unknown = set(apps) - set(APPS)
    if unknown:
        parser.error(f"unknown app(s) {', '.join(sorted(unknown))}; choose from {', '.join(APPS)}")
    packagers = [p for p in args.packagers.split(",") if p]
    missing = BENCH_RUN.missing_tools(packagers)
    if missing:
        sys.exit("bench/apps.py: missing tools:\n  " + "\n  ".join(missing))
    load_start = os.getloadavg()[0]
    lines = []

    def out(line=""):
        print(line, flush=True)
        lines.append(line)

    peer_python, peer_version = peers.find_python()
    venv_python = peers.ensure_venv(peer_python)
    with tempfile.TemporaryDirectory(prefix="rules_pystatic-bench-apps-", ignore_cleanup_errors=True) as tmp:
        workdir = pathlib.Path(tmp)
        apps_peers.write_inputs(workdir / "data")
        say("building " + ", ".join(apps) + " with Bazel")
        binaries = {("rules_pystatic", a): b for a, b in build_ours(apps, workdir).items()}
        if args.compare:
            for app in apps:
                if (pathlib.Path(args.compare) / app).exists():
                    binaries[("before", app)] = workdir / "bin" / f"{app}-before"
                    shutil.copy2(pathlib.Path(args.compare) / app, binaries[("before", app)])
        sandbox = Sandbox(debian_root(), workdir)
        errors, build_seconds = {}, {}
        say("making the venvs of Debian's python3.13")
        scripts = make_venvs(apps, sandbox, "/usr/bin/python3.13", lambda lock: apps_peers.site(venv_python, lock), "venv")
        sizes = {key: b.stat().st_size for key, b in binaries.items()}
        external = pathlib.Path(bench_tools.bazel("info", "output_base").strip()) / "external"
        compiled = {}
        for lock in sorted({APPS[a]["lock"] for a in apps}):
            wheels = next(external.glob(f"*pystatic~pypi_{lock}/wheels.json"), None)
            if wheels:
                compiled[lock] = apps_peers.compiled_only_in_venv(apps_peers.site(venv_python, lock),
                                                                  json.loads(wheels.read_text()))
        for app, script in scripts.items():
            binaries[("venv", app)] = script
            sizes[("venv", app)] = dir_size(script.parent.parent)
        say("making the venvs of the static interpreter (//examples/python)")
        try:
            for app, script in make_venvs(apps, sandbox, build_interpreter(workdir),
                                          lambda lock: apps_peers.musl_site(venv_python, lock), "venv-static").items():
                binaries[("venv-static", app)] = script
                sizes[("venv-static", app)] = dir_size(script.parent.parent)
        except (RuntimeError, subprocess.CalledProcessError) as error:
            say(f"  failed: {error}")
            for app in apps:
                errors[("venv-static", app)] = f"the venv: {str(error)[-300:]}"
        for packager in packagers:
            for app in apps:
                say(f"building {app} with {packager}")
                key = (packager, app)
                try:
                    kept_only = args.kept_peers_only or packager in args.kept_only.split(",")
                    binary, seconds = apps_peers.build(packager, app, workdir / f"{packager}-{app}", venv_python,
                                                       timeout=0 if kept_only else
                                                       args.nuitka_timeout * 60 if packager == "nuitka" else 3600,
                                                       rebuild=args.rebuild_peers and not kept_only)
                except RuntimeError as error:
                    errors[key] = str(error)
                    say(f"  failed: {error}")
                    continue
                binaries[key] = workdir / "bin" / f"{app}-{packager}"  # inside the sandbox's view
                shutil.copy2(binary, binaries[key])
                sizes[key], build_seconds[key] = binary.stat().st_size, seconds
        commands = {}
        for key, binary in binaries.items():
            packager, app = key
            for kind, args_ in (("version", ["--version"]), ("command", APPS[app]["command"])):
                argv = sandbox.argv([binary, *args_])
                if kind == "command":
                    wrong = check(argv, app)
                    if wrong:
                        errors[key] = f"{' '.join(args_)}: {wrong}"
                        break
                commands[(packager, app, kind)] = argv
        commands = {k: v for k, v in commands.items() if (k[0], k[1]) not in errors}
        say(f"timing {len(commands)} commands, {runs} interleaved rounds")
        samples, failed = measure(commands, runs, args.clock)
    for (packager, app, kind), error in failed.items():
        errors[(packager, app)] = f"{kind}: {error}"
    rows = (["before"] if args.compare else []) + ["venv", "venv-static", *packagers]
    med = report(out, apps, rows, sizes, samples, errors, build_seconds, runs, load_start, peer_version, args.compare, args.clock)
    for lock, names in sorted(compiled.items()):
        if names:
            out()
            out(f"The venv of lock {apps_peers.LOCKS[lock].name} runs compiled wheels where the static build has "
                f"pure ones (no musllinux wheel in the lock): {', '.join(names)}; those apps' times compare more than "
                "the interpreters.")
    if not args.no_write:
        draw(apps, rows, sizes, med, errors)
        write_section("\n".join(lines))
        say("updated bench/results.md")
    return 0


LABELS = {"rules_pystatic": "**rules_pystatic** (defaults)", "before": "rules_pystatic, the binary of `--compare`",
          "venv": "venv, Debian's python3.13", "venv-static": "venv, the same CPython build from disk",
          "pyinstaller": "PyInstaller --onefile", "pyinstaller-strip": "PyInstaller --onefile --strip",
          "nuitka": "Nuitka --onefile"}


def report(out, apps, rows, sizes, samples, errors, build_seconds, runs, load_start, peer_version, compare, clock):
    med = {k: statistics.median(v) for k, v in samples.items() if v}
    out(HEADING)
    out()
    out(f"Measured {datetime.date.today()} by `bench/apps.py` (`bench/run --only apps`), {os.cpu_count()} cores shared "
        f"with other builds, load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
        f"{runs} interleaved rounds, min / median ms of "
        + ("CPU time (user + system of the command and the processes it waited for: the sandbox, a onefile's child; "
           "on cores shared with other builds it moves far less than wall time)" if clock == "cpu" else "wall time")
        + f". Each app at the versions of its lock (bench/apps/*.txt), "
        f"built several ways; PyInstaller and Nuitka run on Python {peer_version}. Ratios: median of rules_pystatic / "
        "median of the other (below 1: rules_pystatic faster or smaller).")
    out()
    out("| app | build | size MB | `--version` ms | real command ms | size vs ours | `--version` vs ours | command vs ours |")
    out("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for app in apps:
        for packager in ["rules_pystatic", *rows]:
            key = (packager, app)
            if key not in sizes and packager == "before":
                continue
            label = LABELS[packager]
            if key in errors or key not in sizes:
                size = f"{sizes[key] / 1e6:.1f}" if key in sizes else "-"
                error = errors.get(key, "not built").replace("|", "\\|").replace("\n", " ")[:200]
                out(f"| {app} | {label} | {size} | failed: {error} | | | | |")
                continue
            cells = []
            for kind in ("version", "command"):
                v = samples.get((packager, app, kind))
                cells.append(f"{min(v):.0f} / {med[(packager, app, kind)]:.0f}" if v else "-")
            ratios = []
            ours = ("rules_pystatic", app)
            for what in ("size", "version", "command"):
                if packager == "rules_pystatic" or ours in errors:
                    ratios.append("")
                elif what == "size":
                    ratios.append(f"{sizes[ours] / sizes[key]:.2f}")
                else:
                    a, b = med.get(("rules_pystatic", app, what)), med.get((packager, app, what))
                    ratios.append(f"{a / b:.2f}" if a and b else "")
            out(f"| {app} | {label} | {sizes[key] / 1e6:.1f} | {cells[0]} | {cells[1]} | " + " | ".join(ratios) + " |")
    out()
    out("Real commands: " + "; ".join(f"{a}: `{a} {' '.join(APPS[a]['command'])}`" for a in apps) + ". "
        "Sizes: the executable; for a venv, the venv directory (site-packages with its `.pyc`, not counting "
        "the python3.13 it runs: Debian's, or `//examples/python` for the same build), one venv per lock: black, http, sphinx-build, ipython and check-jsonschema "
        "share one, so its size is theirs together. Every command runs in the same `bwrap` sandbox (Debian trixie root "
        "read-only, tmpfs /tmp, HOME kept between runs), so the sandbox's cost is in every figure alike.")
    if build_seconds:
        out()
        known = {k: v for k, v in build_seconds.items() if v > 0}  # 0: kept from a run that did not time it
        if known:
            out("Build times of the peers (s, when the binary was built; `--rebuild-peers` builds again): "
                + ", ".join(f"{p} {a} {s:.0f}" for (p, a), s in known.items()) + ".")
    if compare:
        out()
        out(f"*before*: the binaries of `--compare {compare}`, measured in the same rounds.")
        hello_sizes(out, pathlib.Path(compare))
    return med


def hello_sizes(out, compare):
    """examples/hello with the defaults (//bench:hello_default), as built now and in `compare`."""
    before = compare / "hello_default"
    if not before.exists():
        return
    bench_tools.bazel("build", "//bench:hello_default", MUSL)
    now = bench_tools.bazel_output("//bench:hello_default", MUSL)
    same = bench_tools.sha256(now) == bench_tools.sha256(before)
    out()
    out(f"hello with the defaults (`//bench:hello_default`): {before.stat().st_size:,} B before, {now.stat().st_size:,} B now"
        + (" (byte-identical, so its start-up is the same)." if same else " (different bytes: compare its start-up in `bench/run --only sizes`)."))


def draw(apps, rows, sizes, med, errors):
    order = ["rules_pystatic", *rows]
    names = {"rules_pystatic": "rules_pystatic", "before": "rules_pystatic before", "venv": "venv (Debian python3.13)",
             "venv-static": "venv (same build, disk)",
             "pyinstaller": "PyInstaller --onefile", "pyinstaller-strip": "PyInstaller --onefile --strip",
             "nuitka": "Nuitka --onefile"}

    def groups(value):
        return [{"label": app, "bars": [{"label": names[p], "value": value(p, app)} for p in order
                                         if (p, app) not in errors and value(p, app) is not None]} for app in apps]

    charts = [
        {"file": "apps-startup.svg", "title": "Real apps: `--version` start-up, median ms (lower is better)", "unit": "ms",
         "groups": groups(lambda p, a: med.get((p, a, "version")))},
        {"file": "apps-command.svg", "title": "Real apps: a real command, median ms (lower is better)", "unit": "ms",
         "groups": groups(lambda p, a: med.get((p, a, "command")))},
        {"file": "apps-size.svg", "title": "Real apps: size, MB (venv: its directory)", "unit": "MB",
         "groups": groups(lambda p, a: sizes[(p, a)] / 1e6 if (p, a) in sizes else None)},
    ]
    BENCH_RUN.draw_charts(charts, caller="bench/apps.py")


def write_section(text):
    new = bench_tools.replace_section(HEADING, text)
    links = "\n".join(f"![{t}](charts/{f})" for f, t in (("apps-startup.svg", "Real apps: start-up"),
                                                          ("apps-command.svg", "Real apps: a real command"),
                                                          ("apps-size.svg", "Real apps: size")))
    if "charts/apps-startup.svg" not in new and "## Charts" in new:
        at = new.index("\n", new.index("Drawn by `bench/run`")) + 1
        (REPO / "bench" / "results.md").write_text(new[:at] + links + "\n" + new[at:], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
