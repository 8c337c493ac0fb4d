"""bench/run's section on the read-only file view (`file_view`): what it costs where it is not used
(hello's start-up, disk I/O through its hooks) and what it gives where it is (embedded files read by
path and by importlib.resources)."""

import pathlib
import shutil
import tempfile

from bench_tools import compare, fmt_ratio, instructions

FILES_HEADING = "## Files inside the binary (the read-only file view, `file_view`)"


def files_section(out, paths, runs, note=""):
    """The read-only file view: what it costs where it is not used, and what it gives where it is."""
    out(f"\n{FILES_HEADING}\n" + (f"\n{note}\n" if note else ""))
    out("| command | min ms | median ms | with view vs without (median) |\n| --- | --- | --- | --- |")
    results = compare({"hello, file_view = True (default)": [str(paths["hello_all"])],
                       "hello, file_view = False": [str(paths["hello_noview"])]}, runs)
    (_, view), (_, plain) = results.values()
    for label, (low, median) in results.items():
        out(f"| {label} | {low:.2f} | {median:.2f} | {fmt_ratio(view, plain) if 'True' in label else ''} |")
    with tempfile.TemporaryDirectory() as tmp:
        disk_file = pathlib.Path(tmp, "4k.bin")
        disk_file.write_bytes(bytes(4096))
        count = 100_000
        results = compare({f"{count} x open()+read() of a 4 KB disk file, {name}": [str(paths[f"fileio_{name}"]), "disk", str(disk_file), str(count)]
                           for name in ("view", "noview")}, max(5, runs // 3))
    (_, view), (_, plain) = results.values()
    for label, (low, median) in results.items():
        out(f"| {label} | {low:.0f} | {median:.0f} | {fmt_ratio(view, plain) if label.endswith(', view') else ''} |")
    out(f"\nDisk I/O through the view's hooks: {100 * (view / plain - 1):+.1f} % wall clock (goal: < 2 %; one prefix comparison per call).")
    if shutil.which("valgrind"):
        with tempfile.TemporaryDirectory() as tmp:
            disk_file = pathlib.Path(tmp, "4k.bin")
            disk_file.write_bytes(bytes(4096))
            counts = {
                name: instructions(cmd) for name, cmd in {
                    "hello, view": [str(paths["hello_all"])], "hello, no view": [str(paths["hello_noview"])],
                    "10000 x open()+read(), view": [str(paths["fileio_view"]), "disk", str(disk_file), "10000"],
                    "10000 x open()+read(), no view": [str(paths["fileio_noview"]), "disk", str(disk_file), "10000"],
                }.items()
            }
        out("\nInstructions (callgrind; repeatable whatever the load): "
            + ", ".join(f"{name} {count / 1e6:.1f} M" for name, count in counts.items())
            + f". Start-up: {100 * (counts['hello, view'] / counts['hello, no view'] - 1):+.2f} %; per open()+read(): "
            f"{(counts['10000 x open()+read(), view'] - counts['10000 x open()+read(), no view']) / 10000:+.0f} instructions "
            f"({100 * (counts['10000 x open()+read(), view'] / counts['10000 x open()+read(), no view'] - 1):+.2f} % of the run).")
    reads = 200
    results = compare({f"{reads} x read of a 1 MB embedded file, {how}": [str(paths["fileio_view"]), mode, str(reads)]
                       for how, mode in (("open() by path", "open"), ("importlib.resources", "resources"))}, max(5, runs // 3))
    out("\n| command | min ms | median ms |\n| --- | --- | --- |")
    for label, (low, median) in results.items():
        out(f"| {label} | {low:.0f} | {median:.0f} |")
