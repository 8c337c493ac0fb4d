"""Checks the shared objects of a binary's musllinux wheels and writes the executable's export table.

Each object must be loadable by the executable's in-memory loader (native_objects.loadability),
its DT_NEEDED libraries embedded, the C library's or provided by the executable, and the names it
needs from outside its closure must be ones the executable may serve (native_objects.dependencies).
Writes the table (exports_table.py: `--asm`, assembled and linked into the executable), the linker
script that pulls its strongly needed names from the static archives (`--link_script`, linked with
`-Wl,--script=<file>`) and what each object needs (`--report`, read by check_native_exports.py
after the link). Exits 1 naming the package, the file and the fix on any problem.

    native_exports.py @params, the params one argument a line:
      --object NAME@VERSION=TREE_PATH=FILE   (repeated) e.g. numpy@2.5.5=numpy.libs/libgcc_s-0cd532bd.so.1=<exec path>
      --pack_report blob.json                the pack step's report: its `shared_objects` are objects too
      --elf_machine EM_X86_64                the target row's elf_machine (targets.bzl)
      --cpu x86_64|aarch64
      --provided_library libz.so.1           (repeated) DT_NEEDED names the executable serves
      --asm exports.S --link_script exports.ld --report report.json
      --export_all_from ARCHIVE --libc_symbols libc.S
                                             a py_static_interpreter's broad table (broad_exports.py): also
                                             the archive's Python C API and zlib names and musl's public
                                             names, for objects loaded from disk; forced into the link,
                                             not checked after it (a name the link lacks is 0: an
                                             ImportError naming it when an object needs it)
      --libc_symbols_if_named libc.S         musl's public names, exported (and forced into the link)
                                             when the pack report lists modules that call the C
                                             library by name through ctypes (`libc_by_name`)
"""

import argparse
import json
import sys

from pystatic.binary.native_objects import broad_exports, exports_table
from pystatic.binary.native_objects.analysis import analyse, executable_names
from pystatic.binary.native_objects.problems import EmbeddedObject
from pystatic.common.action_args import expand_param_files


def parse_object(value):
    """An --object argument as an EmbeddedObject."""
    parts = value.split("=", 2)
    if len(parts) != 3 or not all(parts):
        raise argparse.ArgumentTypeError(f"--object {value!r}: expected NAME@VERSION=TREE_PATH=FILE")
    return EmbeddedObject(*parts)


def report(results, defined_by, args, names, libc_by_name=()):
    return {
        "cpu": args.cpu,
        "elf_machine": args.elf_machine,
        "provided_libraries": args.provided_library,
        "broad": bool(args.libc_symbols or args.export_all_from),
        "libc_by_name": list(libc_by_name),
        "exports": [{"name": name, "strong": names[name]} for name in exports_table.sorted_names(names)],
        # Names the executable serves that embedded objects define as well (exe-first lookups bind them to it).
        "also_defined_by_objects": defined_by,
        "objects": [
            {
                "package": needs.obj.package,
                "path": needs.obj.tree_path,
                "libraries": dict(needs.libraries),
                "closure": needs.closure,
                "strong": needs.strong,
                "weak": needs.weak,
                "unresolved_weak": needs.unresolved_weak,
            }
            for needs in results
        ],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--object", type=parse_object, action="append", default=[])
    parser.add_argument("--pack_report", help="the pack step's report (pack_blob.py): the shared objects it embedded")
    parser.add_argument("--elf_machine", required=True)
    parser.add_argument("--cpu", required=True, choices=["x86_64", "aarch64"])
    parser.add_argument("--provided_library", action="append", default=[])
    parser.add_argument("--asm", required=True)
    parser.add_argument("--link_script", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--export_all_from", action="append", default=[], help="a static archive: its Py*/_Py*/zlib names")
    parser.add_argument("--libc_symbols", help="musl's libc.S: the C library's public names")
    parser.add_argument("--libc_symbols_if_named", help="musl's libc.S, used as --libc_symbols when the pack report's "
                        "libc_by_name lists modules")
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))
    libc_by_name = []
    if args.pack_report:
        with open(args.pack_report, encoding="utf-8") as f:
            pack_report = json.load(f)
        args.object += [EmbeddedObject(s["package"], s["path"], s["file"]) for s in pack_report.get("shared_objects", [])]
        libc_by_name = pack_report.get("libc_by_name", [])
    if libc_by_name and args.libc_symbols_if_named and not args.libc_symbols:
        args.libc_symbols = args.libc_symbols_if_named
    try:
        results, problems, defined_by = analyse(args.object, args.elf_machine, args.cpu, args.provided_library)
    except ValueError as err:
        parser.error(str(err))
    if problems:
        for problem in problems:
            print(problem.message(), file=sys.stderr)
        return 1
    names = executable_names(results)
    forced = {name for name, strong in names.items() if strong}
    try:
        if args.libc_symbols or args.export_all_from:
            libc_text = ""
            if args.libc_symbols:
                with open(args.libc_symbols, encoding="utf-8") as f:
                    libc_text = f.read()
            broad = broad_exports.interpreter_exports(args.export_all_from, libc_text, args.cpu)
            forced |= broad
            names = {name: names.get(name, False) for name in names.keys() | broad}
        asm = exports_table.assembly(names, args.provided_library)
        script = exports_table.linker_script(forced)
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    with open(args.asm, "w", encoding="utf-8") as out:
        out.write(asm)
    with open(args.link_script, "w", encoding="utf-8") as out:
        out.write(script)
    with open(args.report, "w", encoding="utf-8") as out:
        json.dump(report(results, defined_by, args, names, libc_by_name), out, indent=1, sort_keys=True)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
