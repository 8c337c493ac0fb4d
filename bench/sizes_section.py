"""bench/run's section on hello's variants (bench/BUILD.bazel): size, blob, start-up (wall clock and
callgrind) of each, against python3 -I -S; then where the bytes are (bench/size_breakdown.py)."""

import os
import pathlib
import shutil
import sys
import tempfile

from bench_tools import CHARTS, MUSL, REPO, bazel, bazel_output, compare, instructions, real_python

HELLO = ["all", "all_srczstd", "all_zstd", "all_nosources", "imported", "imported_srczstd", "imported_zstd",
         "imported_zstd_codecs", "imported_zstd_exe", "imported_exe", "default", "bolt"]
# compress_executable = True (docs/compressed-executable.md): the blob is inside the compressed image.
COMPRESSED_EXECUTABLES = {"imported_zstd_exe", "imported_exe"}
HELLO_LABELS = {
    "all": "all, nothing compressed",
    "all_srczstd": "all, sources compressed",
    "all_zstd": "all, compress = True",
    "all_nosources": "all, no sources",
    "imported": "imported, nothing compressed",
    "imported_srczstd": "imported, sources compressed",
    "imported_zstd": "imported, compress = True",
    "imported_zstd_codecs": "imported, compress = True, every codec",
    "imported_zstd_exe": "imported, compress = True, compress_executable = True",
    "imported_exe": "imported, compress_executable = True (blob uncompressed)",
    "default": "defaults (imported, sources compressed)",
    "bolt": "defaults after BOLT (bolt = \"on\"; -c opt's default)",
}

SIZES_HEADING = "## Sizes and start-up of hello's variants"


def sizes_section(out, paths, runs, note=""):
    """Every hello variant: size, blob, start-up (wall and callgrind); then where the bytes are."""
    out(f"\n{SIZES_HEADING}\n" + (f"\n{note}\n" if note else ""))
    commands = {v: [str(paths[f"hello_{v}"])] for v in HELLO}
    # What start-up is compared with (issue 15: hello's start-up <= python3 -I -S), in the same run.
    references = {f"`{name} -I -S -c pass`": [exe, "-I", "-S", "-c", "pass"]
                  for name, exe in (("python3", real_python("python3")), ("/usr/bin/python3", "/usr/bin/python3"))
                  if exe and os.path.exists(exe)}
    timing = compare({**commands, **references}, runs)
    counts = {v: instructions(cmd) for v, cmd in {**commands, **references}.items()} if shutil.which("valgrind") else {}
    out("| variant | binary MB | blob MB | rest (code, data) MB | start-up min / median ms | instructions M |")
    out("| --- | --- | --- | --- | --- | --- |")
    bars_size, bars_start = [], []
    for v in HELLO:
        exe = paths[f"hello_{v}"]
        size, blob = exe.stat().st_size / 1e6, exe.with_suffix(".blob").stat().st_size / 1e6
        low, median = timing[v]
        count = f"{counts[v] / 1e6:.1f}" if v in counts else "-"
        if v in COMPRESSED_EXECUTABLES:
            # The blob is compressed with the code: no split of the file's bytes (a part colour of its own).
            out(f"| {HELLO_LABELS[v]} | {size:.1f} | ({blob:.1f} inside) | - | {low:.1f} / {median:.1f} | {count} |")
            bars_size.append({"label": HELLO_LABELS[v], "value": size, "stack": [["code and data", 0], ["resource blob", 0], ["compressed executable", size]]})
        else:
            out(f"| {HELLO_LABELS[v]} | {size:.1f} | {blob:.1f} | {size - blob:.1f} | {low:.1f} / {median:.1f} | {count} |")
            bars_size.append({"label": HELLO_LABELS[v], "value": size, "stack": [["code and data", size - blob], ["resource blob", blob]]})
        bars_start.append({"label": HELLO_LABELS[v], "value": counts.get(v, 0) / 1e6, "text": f"{counts.get(v, 0) / 1e6:.1f} M"})
    for label in references:
        low, median = timing[label]
        count = f"{counts[label] / 1e6:.1f}" if label in counts else "-"
        out(f"| {label} (reference) | - | - | - | {low:.1f} / {median:.1f} | {count} |")
    CHARTS.append({"file": "hello-variants-size.svg", "title": "hello: binary size by variant (MB)", "unit": "MB",
                   "groups": [{"label": "hello", "bars": bars_size}]})
    if counts:
        CHARTS.append({"file": "hello-variants-startup.svg", "title": "hello: start-up, instructions (callgrind, millions)",
                       "unit": "million instructions", "groups": [{"label": "hello", "bars": bars_start}]})
    out("\nall: stdlib = \"all\", the whole stdlib and every built-in; "
        "imported: stdlib = \"imported\" (docs/py_static_binary.md, the import closure); sources compressed: "
        "compress_sources = True (zstd for sources only, the bytecode stays as is); compress = True: every payload; "
        "every codec: stdlib_include = [\"encodings\"], the CJK codecs and their built-in tables too, which stdlib = \"imported\" embeds only when named. "
        "compress_executable = True: the whole executable zstd-compressed in a loader that decompresses it in memory at start "
        "(docs/compressed-executable.md); its blob is compressed with the code. "
        "Instructions: callgrind, one run each (repeatable whatever the load).")
    breakdown_section(out, paths)


def breakdown_section(out, paths):
    """Where the bytes are: the defaults and the smallest variant linked again with their symbol
    table (--strip=never), attributed to the distribution's libraries (bench/size_breakdown.py)."""
    targets = ["//bench:hello_default", "//bench:hello_imported_zstd"]
    bazel("build", *targets, MUSL, "--strip=never", "--remote_download_outputs=all")
    archives = sorted((paths["distribution"] / "lib").glob("lib*.a"), key=lambda p: (p.name.startswith("libpython"), p.name))
    with tempfile.TemporaryDirectory() as tmp:
        for target in targets:
            name = target.rpartition(":")[2]
            copy = pathlib.Path(tmp) / name
            shutil.copy2(bazel_output(target, MUSL), copy)
            sys.path.insert(0, str(REPO / "bench"))
            import size_breakdown
            table = size_breakdown.report(str(copy), [(a.name[3:-2], str(a)) for a in archives],
                                          blob=str(paths[name].with_suffix(".blob")), top=12)
            out(f"\n### Where the bytes of {name} are\n\nLinked with `--strip=never` (the shipped binary has no "
                "symbol table): every symbol is attributed to the distribution's archive member defining it "
                "(`bench/size_breakdown.py`; `other` is musl, compiler-rt and the runtime).\n")
            out(table)
    # Back to the shipped (stripped) outputs for whatever runs next.
    bazel("build", *targets, MUSL, "--remote_download_outputs=all")
