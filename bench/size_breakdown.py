"""Where the bytes of a py_static_binary are: per library, per section kind, per object file.

  python3 bench/size_breakdown.py EXE [--archive NAME=PATH ...] [--blob BLOB] [--top N]

EXE must keep its symbol table (build with `--strip=never`): every defined symbol of EXE (nm -S)
is attributed to the archive member that defines one with the same name and size (`nm -A` of
each archive named with --archive), else to "other" (musl libc, compiler-rt, the runtime's own
objects). Sections without symbols (.eh_frame, relocations, padding) are listed by name. With
--blob, the embedded resource blob's size is split off .rodata. Used by bench/run.
"""

import argparse
import collections
import os
import subprocess
import sys

# nm's symbol types -> the section kind they live in.
KINDS = {"t": "code", "r": "read-only data", "d": "data", "b": "bss (no file bytes)", "v": "data", "w": "code"}


def nm_sizes(path, archive=False):
    """[(member or "", name, size, kind)] of defined symbols with a size."""
    args = ["nm", "-S", "--defined-only"] + (["-A"] if archive else []) + [path]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    symbols = []
    for line in out.splitlines():
        fields = line.split()
        member = ""
        if archive and fields:
            # "lib.a:member.o:VALUE SIZE TYPE NAME"
            location, _, value = fields[0].rpartition(":")
            member = location.rpartition(":")[2]
            fields[0] = value
        if len(fields) != 4:
            continue  # no size (absolute symbols, section starts)
        _, size, kind, name = fields
        kind = KINDS.get(kind.lower())
        if kind:
            symbols.append((member, name, int(size, 16), kind))
    return symbols


def sections(path):
    """{section name: size} of the sections that take file bytes (readelf -S)."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
    sizes = {}
    for line in out.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 6 and fields[0].startswith("[") and fields[1].startswith("."):
            if fields[2] != "NOBITS":
                sizes[fields[1]] = int(fields[5], 16)
    return sizes


def breakdown(exe, archives):
    """({library: {kind: bytes}}, {(library, member): bytes}) of EXE's symbols."""
    owner = {}
    for library, path in archives:
        for member, name, size, _ in nm_sizes(path, archive=True):
            owner.setdefault((name, size), (library, member))
    by_library = collections.defaultdict(collections.Counter)
    by_member = collections.Counter()
    for _, name, size, kind in nm_sizes(exe):
        library, member = owner.get((name, size), ("other (libc, compiler-rt, runtime)", ""))
        by_library[library][kind] += size
        if kind != "bss (no file bytes)":
            by_member[(library, member)] += size
    return by_library, by_member


def mb(n):
    return f"{n / 1e6:.2f}"


def report(exe, archives, blob=None, top=15):
    """Markdown tables."""
    by_library, by_member = breakdown(exe, archives)
    kinds = ["code", "read-only data", "data"]
    lines = [f"File: {mb(os.path.getsize(exe))} MB (with symbols). Sections (MB): "
             + ", ".join(f"{name} {mb(size)}" for name, size in sorted(sections(exe).items(), key=lambda kv: -kv[1])
                         if size >= 50_000)]
    if blob:
        lines.append(f"The resource blob is {mb(os.path.getsize(blob))} MB of .rodata.")
    lines += ["", "| library | code MB | read-only data MB | data MB |", "| --- | --- | --- | --- |"]
    total = lambda c: sum(c[k] for k in kinds)  # noqa: E731
    for library, counts in sorted(by_library.items(), key=lambda kv: -total(kv[1])):
        lines.append(f"| {library} | " + " | ".join(mb(counts[k]) for k in kinds) + " |")
    lines += ["", f"Largest {top} object files (code + data):", "", "| library | object | MB |", "| --- | --- | --- |"]
    for (library, member), size in by_member.most_common(top):
        lines.append(f"| {library} | {member or '-'} | {mb(size)} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("exe")
    parser.add_argument("--archive", action="append", default=[], help="NAME=PATH of a static library")
    parser.add_argument("--blob")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    archives = [tuple(a.split("=", 1)) for a in args.archive]
    print(report(args.exe, archives, args.blob, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
