"""bench/run's Windows section (`bench/run --only windows`): examples/hello and examples/cli built for
windows_x86_64 and for linux_musl from the same BUILD rules, their sizes, their start-up (the .exe
under wine, the Linux binary natively, interleaved; wine's own start-up measured by a C program
beside them), and the build time of the Windows distribution (its C libraries and CPython, every
action run again in a fresh output base: the PyStaticDepWindows and PyStaticCPythonWindows
mnemonics made uncacheable), summed from Bazel's profile."""

import gzip
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench_tools import MUSL, REPO, bazel, progress

WINDOWS_HEADING = "## Windows x86_64: examples/hello and examples/cli under wine"
WINDOWS = "--platforms=//platforms:windows_x86_64"
DIST = "//toolchains/cpython:cpython_3_13_windows"
WINE_BASELINE = "//tests/toolchains:windows_hello"
COLD_MNEMONICS = ("PyStaticDepWindows", "PyStaticCPythonWindows")
WINEPREFIX = os.environ.get("WINEPREFIX") or str(pathlib.Path.home() / ".cache" / "rules_pystatic" / "wine-prefix")


def _output(target, platform, suffix):
    files = bazel("cquery", target, platform, "--output=files").split()
    return (REPO / next(f for f in files if f.endswith(suffix))).resolve()


def _timed(cmd, env, status=0):
    # /dev/null, not pipes: wine's services, started by the first program of a persistent
    # wineserver, would inherit them and keep them open (a read to EOF never ends); not a regular
    # file either (wine refuses one as a console program's standard handle: DEVELOPERS.md).
    start = time.perf_counter()
    result = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != status:
        sys.exit(f"bench/run: {' '.join(map(str, cmd))} exited {result.returncode}, not {status} (run it to see why)")
    return elapsed * 1000


def _startup(commands, runs):
    """{label: (min ms, median ms)} of {label: (under wine, command, exit status)}, interleaved; wine's
    commands in its prefix, stdout a pipe."""
    wine = shutil.which("wine") or shutil.which("wine64")
    if wine is None:
        sys.exit("bench/run: wine is needed for the Windows section: apt-get install wine64")
    wine_env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "WINEDEBUG": "-all", "LC_ALL": "C.UTF-8",
                "WINEPREFIX": WINEPREFIX, "WINEDLLOVERRIDES": "mscoree,mshtml="}
    full = {label: ([wine, *cmd] if under_wine else cmd, wine_env if under_wine else {}, status)
            for label, (under_wine, cmd, status) in commands.items()}
    # A persistent wineserver: without it each run starts one (about 2.5 s here), which would
    # swamp what the programs themselves take.
    server = subprocess.Popen([shutil.which("wineserver") or "wineserver", "--persistent", "--foreground"], env=wine_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for cmd, env, status in full.values():  # warm-up: wine's prefix and the page cache
            _timed(cmd, env, status)
        samples = {label: [] for label in full}
        for _ in range(runs):
            for label, (cmd, env, status) in full.items():
                samples[label].append(_timed(cmd, env, status))
    finally:
        subprocess.run([shutil.which("wineserver") or "wineserver", "--kill"], env=wine_env)
        server.wait(timeout=60)
    return {label: (min(s), statistics.median(s)) for label, s in samples.items()}


def _profile_actions(profile):
    """{mnemonic: (actions, seconds)} of the action-processing events of a Bazel JSON profile."""
    with gzip.open(profile, "rt") if str(profile).endswith(".gz") else open(profile) as f:
        events = json.load(f)
    events = events["traceEvents"] if isinstance(events, dict) else events
    totals = {}
    for event in events:
        mnemonic = (event.get("args") or {}).get("mnemonic")
        if event.get("cat") == "action processing" and mnemonic in COLD_MNEMONICS and "dur" in event:
            count, seconds = totals.get(mnemonic, (0, 0.0))
            totals[mnemonic] = (count + 1, seconds + event["dur"] / 1e6)
    return totals


def _cold_build():
    """(wall seconds, {mnemonic: (actions, seconds)}) of the Windows distribution built in a fresh
    output base with its C libraries' and CPython's actions uncacheable (the rest: the disk cache)."""
    with tempfile.TemporaryDirectory(prefix="rules_pystatic-bench-windows-", ignore_cleanup_errors=True) as tmp:
        startup = [f"--output_base={tmp}/output-base"]
        # No convenience symlinks: the checkout's bazel-bin stays the main output base's.
        no_links = "--symlink_prefix=/"
        profile = pathlib.Path(tmp) / "profile.json.gz"
        flag = "--modify_execution_info=" + ",".join(f"{m}=+no-cache" for m in COLD_MNEMONICS)
        bazel("build", "--nobuild", DIST, WINDOWS, no_links, startup=startup)  # fetch and analysis, not timed
        start = time.perf_counter()
        bazel("build", DIST, WINDOWS, flag, no_links, f"--profile={profile}", startup=startup)
        seconds = time.perf_counter() - start
        actions = _profile_actions(profile)
        bazel("shutdown", startup=startup)
    return seconds, actions


def windows_section(out, runs, cold=True, note=""):
    progress("building examples/hello and examples/cli for windows_x86_64 and linux_musl")
    bazel("build", "//examples/hello", "//examples/cli", WINE_BASELINE, WINDOWS)
    bazel("build", "//examples/hello", "//examples/cli", MUSL)
    exe = {name: _output(f"//examples/{name}", WINDOWS, f"/{name}.exe") for name in ("hello", "cli")}
    elf = {name: _output(f"//examples/{name}", MUSL, f"/{name}") for name in ("hello", "cli")}
    baseline = _output(WINE_BASELINE, WINDOWS, ".exe")
    progress(f"start-up under wine and natively, {runs} interleaved runs")
    timings = _startup({
        # windows_hello exits 7 (tests/toolchains/windows_hello.c: its test checks the status).
        "wine: windows_hello.exe (C)": (True, [str(baseline), "x"], 7),
        "hello.exe": (True, [str(exe["hello"])], 0),
        "hello (Linux)": (False, [str(elf["hello"])], 0),
        "cli.exe --version": (True, [str(exe["cli"]), "--version"], 0),
        "cli --version (Linux)": (False, [str(elf["cli"]), "--version"], 0),
    }, runs)
    out(f"\n{WINDOWS_HEADING}\n" + (f"\n{note}\n" if note else ""))
    out("The same BUILD rules built with `--platforms=//platforms:windows_x86_64` (zig's x86_64-windows-gnu, the UCRT; "
        "docs/windows.md) and with `--platforms=//platforms:linux_musl`. Start-up: wall time from fork to exit, "
        f"min / median of {runs} interleaved runs; the .exe files under Debian's wine (its own start-up measured by a C "
        "program that prints one line, `//tests/toolchains:windows_hello`; a persistent wineserver), the Linux binaries "
        "natively: wine's cost is in every Windows number, so compare the Windows rows with wine's own row, not with Linux's.\n")
    out("| binary | size | start-up min | median |")
    out("| --- | --- | --- | --- |")
    sizes = {"wine: windows_hello.exe (C)": baseline, "hello.exe": exe["hello"], "hello (Linux)": elf["hello"],
             "cli.exe --version": exe["cli"], "cli --version (Linux)": elf["cli"]}
    for label, (fastest, median) in timings.items():
        size = sizes[label].stat().st_size
        shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"  # the C hello is 73 kB
        out(f"| {label} | {shown} | {fastest:.0f} ms | {median:.0f} ms |")
    wine_min = timings["wine: windows_hello.exe (C)"][0]
    out(f"\nAbove wine's own start-up (min): hello.exe +{timings['hello.exe'][0] - wine_min:.0f} ms, "
        f"cli.exe --version +{timings['cli.exe --version'][0] - wine_min:.0f} ms.")
    if not cold:
        out("\nThe build time of the Windows distribution was not measured (`--quick`).")
        return
    progress("the Windows distribution in a fresh output base, its C libraries and CPython run again (about 10 min)")
    seconds, actions = _cold_build()
    total = sum(s for _, s in actions.values())
    out(f"\nThe Windows distribution (`{DIST}`: its seven C libraries and CPython) built in a fresh output base with "
        f"{', '.join(COLD_MNEMONICS)} uncacheable (`--modify_execution_info=...=+no-cache`; zig's runtime for Windows, "
        "the Linux python3.13 that freezes its modules and the sources from the disk cache): "
        f"**{seconds / 60:.1f} min** wall on {os.cpu_count()} cores, {total:.0f} s of action time:\n")
    out("| mnemonic | actions | action time |")
    out("| --- | --- | --- |")
    for mnemonic in COLD_MNEMONICS:
        count, action_seconds = actions.get(mnemonic, (0, 0.0))
        out(f"| {mnemonic} | {count} | {action_seconds:.0f} s |")
