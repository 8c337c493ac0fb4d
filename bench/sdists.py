#!/usr/bin/env python3
"""Extensions built from their sdists (docs/extensions.md): build time, size, and the disk cache.

  bench/sdists.py [--target //examples/meson] [--platform linux_musl] [--profile FILE] [--no-second] [--no-write]

For each target and platform, in a fresh output base (the shared disk cache of .bazelrc stays):
  1. builds it with a profile and an execution log: the wall time of each `PyStaticSdist` (and
     `PyStaticDep`, native libraries) action from Bazel's profile, and whether it ran or was a
     disk-cache hit (so a time is a cold build only when it ran: the first build after a change of
     the package, its lock or build_sdist.py); each package's archive: its size and the text + data
     of its objects (`size`), an upper bound of what the binary grows by (the linker takes only the
     members it needs); the binary's size;
  2. unless --no-second, builds it again in a second fresh output base and counts the actions
     that ran: every sdist action must be a `disk cache hit`.
`--profile FILE` reads the action times of a profile written earlier (`bazel build --profile=FILE`)
instead of building step 1 (steps 1's sizes still come from a build, normally all cache hits).
Writes (replaces) the section "Extensions built from their sdists" of bench/results.md unless --no-write.
"""

import argparse
import datetime
import gzip
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from harness import execution_log  # noqa: E402  (the concatenated-JSON reader the proofs use)

HEADING = "## Extensions built from their sdists (`PyStaticSdist`)"
MNEMONICS = ("PyStaticSdist", "PyStaticDep")
PLATFORMS = {"linux_musl": "x86_64", "linux_musl_aarch64": "aarch64"}


def bazel(*args, startup=(), check=True):
    run = subprocess.run([str(REPO / "tools" / "bazel"), *startup, *args], cwd=REPO, capture_output=True, text=True)
    if check and run.returncode != 0:
        sys.exit(f"bench/sdists.py: bazel {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return run


def profile_actions(path):
    """{progress message: seconds} of the sdist and native-library actions in a Bazel profile."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        events = json.load(f)
    events = events.get("traceEvents", events) if isinstance(events, dict) else events
    found = {}
    for event in events:
        name, args = event.get("name", ""), event.get("args") or {}
        mnemonic = args.get("mnemonic")
        wanted = "from its sdist" in name or mnemonic == "PyStaticSdist" or (
            mnemonic == "PyStaticDep" and "native_libraries" in name + str(args.get("target", "")))
        if event.get("ph") == "X" and wanted:
            found[name] = max(found.get(name, 0.0), event.get("dur", 0) / 1e6)
    return found


def archive_text_data(archive):
    """Sum of text and data (+bss) of an archive's members, with binutils' `size`."""
    run = subprocess.run(["size", "-t", str(archive)], capture_output=True, text=True)
    total = [line.split() for line in run.stdout.splitlines() if line.rstrip().endswith("(TOTALS)")]
    if run.returncode != 0 or not total:
        return None
    text, data, bss = (int(v) for v in total[0][:3])
    return text, data + bss


def build_once(target, platform, base, profile=None, log=None):
    startup = (f"--output_base={base}", "--max_idle_secs=600")
    flags = [f"--platforms=//platforms:{platform}", "--symlink_prefix=/"]
    if profile:
        flags.append(f"--profile={profile}")
    if log:
        flags.append(f"--execution_log_json_file={log}")
    start = time.perf_counter()
    bazel("build", target, *flags, "--remote_download_outputs=all", startup=startup)
    seconds = time.perf_counter() - start
    execroot = pathlib.Path(bazel("info", "execution_root", startup=startup).stdout.strip())
    return startup, flags, execroot, seconds


def measure(target, platform, work, profile_file=None, second=True):
    cpu = PLATFORMS[platform]
    first = work / f"{cpu}-first"
    profile = profile_file or (work / f"{cpu}.profile.json.gz")
    log = work / f"{cpu}-first.exec.json"
    startup, flags, execroot, seconds = build_once(target, platform, first, None if profile_file else profile, log)
    spawns = [s for s in execution_log(log) if s.get("mnemonic") in MNEMONICS] if log.exists() else []
    times = profile_actions(profile)
    rows = []
    for name, secs in sorted(times.items()):
        if name.startswith("action '"):
            continue  # the profile's action-processing event of the same action
        short = name.rsplit(" ", 1)[-1].rpartition(":")[2]  # pyyaml_x86_64 (labels differ: @pypi// vs @@_main~...)
        spawn = next((s for s in spawns if any(f"/{short}/" in o for o in s.get("listedOutputs", []))), None)
        how = spawn.get("runner", "?") if spawn else "up to date"
        archives = [execroot / o for o in (spawn or {}).get("listedOutputs", []) if o.endswith(".a")]
        sizes = [(a.stat().st_size, archive_text_data(a)) for a in archives if a.exists()]
        rows.append({"action": name, "seconds": secs, "runner": how, "archives": sizes})
    binary = bazel("cquery", target, *flags, "--output=files", startup=startup).stdout.split()
    binary = [execroot / f for f in binary if f.rpartition("/")[2] == target.rpartition("/")[2].rpartition(":")[2]]
    result = {"target": target, "platform": platform, "rows": rows, "binary": binary[0].stat().st_size if binary else None,
              "first_seconds": seconds}
    bazel("shutdown", startup=startup, check=False)
    if second:
        base = work / f"{cpu}-second"
        log2 = work / f"{cpu}-second.exec.json"
        startup2, _, _, seconds2 = build_once(target, platform, base, log=log2)
        spawns2 = execution_log(log2)
        ran = [(s["mnemonic"], s.get("runner")) for s in spawns2 if not s.get("cacheHit")]
        sdist_hits = [s for s in spawns2 if s["mnemonic"] in MNEMONICS and s.get("cacheHit")]
        result["second"] = {"seconds": seconds2, "spawns": len(spawns2), "ran": ran, "sdist_hits": len(sdist_hits)}
        bazel("clean", "--expunge", startup=startup2, check=False)
    bazel("clean", "--expunge", startup=startup, check=False)
    return result


def section(results):
    lines = [HEADING, "",
             f"Measured {datetime.date.today()} by `bench/sdists.py` ({os.cpu_count()} cores, load average "
             f"{os.getloadavg()[0]:.1f} at the end; the machine is shared with other builds). Each action's wall time from "
             "Bazel's profile of a build in a fresh output base; `runner` says whether it ran (a cold build of "
             "the package) or came from the disk cache. Archive: bytes, and text / data of its objects (an upper "
             "bound of what the binary grows by: the linker takes only the members it needs). Cold times measured when "
             "the actions last ran: docs/extensions.md, Measured. Rerun: `bench/sdists.py`.", ""]
    for r in results:
        lines += [f"### `{r['target']}` for {r['platform']}", "",
                  "| action | seconds | runner | archive bytes | text / data bytes |", "| --- | --- | --- | --- | --- |"]
        for row in r["rows"]:
            sizes = "; ".join(f"{b:,}" for b, _ in row["archives"]) or "-"
            td = "; ".join(f"{t[0]:,} / {t[1]:,}" if t else "?" for _, t in row["archives"]) or "-"
            lines.append(f"| {row['action']} | {row['seconds']:.0f} | {row['runner']} | {sizes} | {td} |")
        lines += ["", f"Binary: {r['binary']:,} bytes. Build in the first output base: {r['first_seconds']:.0f} s."]
        if "second" in r:
            s = r["second"]
            lines.append(f"Second build in a fresh output base: {s['seconds']:.0f} s (with the repository rules fetching "
                         f"again), {s['spawns']} spawns, {s['sdist_hits']} sdist/native actions served as disk-cache hits, "
                         f"ran: {s['ran'] or 'nothing'}.")
        lines.append("")
    return "\n".join(lines)


def write_section(text):
    results = REPO / "bench" / "results.md"
    old = results.read_text(encoding="utf-8")
    pattern = re.compile(r"^" + re.escape(HEADING) + r"\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: text + "\n", old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text + "\n"
    results.write_text(new, encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", action="append", help="default: //examples/meson and //examples/sdists")
    parser.add_argument("--platform", action="append", choices=sorted(PLATFORMS), help="default: both")
    parser.add_argument("--profile", help="action times from this profile (one target and platform)")
    parser.add_argument("--no-second", action="store_true", help="skip the second build in a fresh output base")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    targets = args.target or ["//examples/meson", "//examples/sdists"]
    platforms = args.platform or sorted(PLATFORMS)
    work = pathlib.Path(tempfile.mkdtemp(prefix="pystatic-bench-sdists-"))
    try:
        results = [measure(t, p, work, pathlib.Path(args.profile) if args.profile else None, not args.no_second)
                   for t in targets for p in platforms]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = section(results)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
