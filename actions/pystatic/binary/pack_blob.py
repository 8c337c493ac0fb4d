"""Packs the final resource blob of one binary from compiled packs (actions/pystatic/binary/compile_bytecode.py).

Inputs: the binary's settings (settings.py), the standard library pack of the target's distribution
(plus, for an interpreter, the runtime toolchain's ensurepip pack: `--stdlib_extra`), the binary's
own pack, and the imports files of each. Selects the stdlib (stdlib_selection.py), drops
sources that are not wanted, optionally compresses entries with zstd, and checks, at build time, what
would otherwise fail at run time: the entry point's module and function exist, no first-party module
shadows a stdlib module, no module imports one a wheel check left out (left_out_imports.py), and
both packs were compiled by the same Python. Its report names the entry
point it resolved (from a main file or a console script: module and function) for gen_glue.py.
"""

import argparse
import ast
import configparser
import dataclasses
import json
import re
import sys

from pystatic.binary import file_access, left_out_imports, native_imports, shared_objects
from pystatic.binary.cold_modules import cold_modules
from pystatic.binary.settings import BinarySettings, ResolvedEntryPoint, SettingsError
from pystatic.binary.stdlib_selection import (
    EXTRACT_MODULES, RUNTIME_MODULES, RUNTIME_PACKAGES, SelectionError, builtins_left_out, followed_imports, matches,
    runtime_packages, select_stdlib,
)
from pystatic.common import extra_builtins
from pystatic.common.action_args import expand_param_files
from pystatic.format.blob import DATA, METADATA, MODULE, BlobError, BlobReader, Entry, read_blob, write_blob

# The zstd dictionary trained on a compressed blob's payloads (kept only if the blob is smaller with
# it): zstd's default dictionary size. hello (stdlib = "imported", compress = True), payloads at level
# 10: 1.66 MB without, 1.44 MB with 32 KiB, 1.38 MB with 112 KiB (both counting the dictionary).
ZSTD_DICT_SIZE = 112 << 10


class PackError(Exception):
    """Bad input; the message names the target, what is wrong and the fix."""


def _data_package(path, packages):
    """The package whose directory holds data file `path` (longest match), or None."""
    parts = path.split("/")[:-1]
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in packages:
            return ".".join(parts[:i])
    return None


def main_module(target, main_path, app_imports):
    """Module name of the `main` file."""
    for name, info in app_imports.items():
        if info["path"] == main_path:
            return name
    raise PackError(f"{target}: main {main_path} is not among the binary's modules. Fix: add it to srcs.")


def console_script(target, name, app_entries):
    """(module, function) of console script `name` from the embedded *.dist-info/entry_points.txt."""
    found, available = [], []
    for entry in app_entries:
        dist, _, file = entry.name.partition("/")
        if entry.kind != METADATA or file != "entry_points.txt" or not dist.endswith(".dist-info"):
            continue
        parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
        parser.optionxform = str
        try:
            parser.read_string(entry.primary.decode("utf-8"))
        except (configparser.Error, UnicodeDecodeError) as err:
            raise PackError(f"{target}: cannot read {entry.name}: {err}") from None
        scripts = parser["console_scripts"] if parser.has_section("console_scripts") else {}
        available += [f"{script} ({dist})" for script in scripts]
        if name in scripts:
            found.append((dist, scripts[name].split("[", 1)[0].strip()))
    if not found:
        raise PackError(
            f"{target}: no console script '{name}' in the binary's distributions.\n"
            f"  Fix: use one they declare ({', '.join(sorted(available)) or 'none declare any'}), add the wheel that does to deps,\n"
            f"  or name the function with entry_point = \"module:function\" (a wheel's `scripts` files, as Mercurial's\n"
            f"  `hg`, are not console scripts: use the function such a script calls)."
        )
    if len(found) > 1:
        raise PackError(
            f"{target}: console script '{name}' is declared by {found[0][0]} and {found[1][0]}.\n"
            "  Fix: use entry_point = \"module:function\" to say which."
        )
    module, _, function = found[0][1].partition(":")
    return module.strip(), function.strip()


def check_entry_point(target, module, function, app_imports, stdlib_modules):
    if module in app_imports:
        defines = app_imports[module]["defines"]
        if function and function.split(".")[0] not in defines:
            raise PackError(
                f"{target}: entry point '{module}:{function}': {app_imports[module]['path']} defines no "
                f"top-level '{function}'.\n  Fix: name a function defined in that module "
                f"(it defines: {', '.join(defines) or 'nothing'})."
            )
    elif module not in stdlib_modules:
        # The usual mistake: the file is in srcs, but under its package's directory (app/cli.py is
        # `app.cli` from the workspace root) while entry_point names it from the package's directory.
        longer = sorted(name for name in app_imports if name.endswith("." + module))
        hint = "".join(
            f"\n  {app_imports[name]['path']} is module '{name}': use entry_point = \"{name}:{function}\", or make its "
            f"directory an import root (imports = [\".\"] in that package's BUILD) so that it is '{module}'."
            for name in longer[:3]
        )
        raise PackError(
            f"{target}: the entry point's module '{module}' is not among the binary's modules.\n"
            f"  Fix: add the file that defines it to srcs or deps, or correct main/entry_point.{hint}"
        )


def resolve_entry_point(settings, app_imports, app_entries):
    """The ResolvedEntryPoint of the settings' entry point (None for an interpreter)."""
    entry = settings.entry_point
    if settings.interpreter:
        return None
    if entry.main:
        return ResolvedEntryPoint(main_module(settings.target, entry.main, app_imports))
    if entry.console_script:
        return ResolvedEntryPoint(*console_script(settings.target, entry.console_script, app_entries))
    if not entry.module:
        raise PackError(f"{settings.target}: the settings name no entry point (module, main or console_script)")
    return ResolvedEntryPoint(entry.module, entry.function)


def pack(settings, files):
    """(blob bytes, report) of the binary; `files`: the paths of stdlib, stdlib_imports, app, app_imports, descriptor."""
    target = settings.target
    stdlib = read_blob(files.stdlib)
    app = read_blob(files.app)
    if stdlib.bytecode_magic != app.bytecode_magic:
        raise PackError(
            f"{target}: the stdlib and the app were compiled by different Python versions "
            f"(bytecode magic {stdlib.bytecode_magic.hex()} vs {app.bytecode_magic.hex()})"
        )
    with open(files.stdlib_imports, encoding="utf-8") as f:
        stdlib_imports = json.load(f)["modules"]
    stdlib_entries = stdlib.entries() + _stdlib_extras(target, stdlib, stdlib_imports, getattr(files, "stdlib_extra", None) or [])
    with open(files.app_imports, encoding="utf-8") as f:
        app_imports = json.load(f)["modules"]

    shadowing = sorted(m for m in app_imports if m in stdlib_imports and not matches(m, settings.stdlib_exclude))
    if shadowing:
        name = shadowing[0]
        raise PackError(
            f"{target}: {app_imports[name]['path']} is module '{name}', which is also a standard "
            f"library module.\n  Fix: rename it, or leave the stdlib one out: stdlib_exclude = [\"{name}\"]."
        )
    left_out_imports.check(target, app_imports, getattr(files, "wheel_check", None) or [])
    natives = [shared_objects.parse_native(n) for n in getattr(files, "native", None) or []]
    loaded = shared_objects.loaded_shared_objects(getattr(files, "wheel_check", None) or [], natives)
    shared_object_entries = shared_objects.entries_of(loaded, debug_info=settings.native_debug_info)
    # What the shared objects import from C: roots of the stdlib selection (native_imports.py).
    stdlib_names = frozenset(stdlib_imports)
    native_roots = sorted({name for entry in shared_object_entries
                           for name in native_imports.stdlib_modules_named(entry.primary, stdlib_names)})
    entry_point = resolve_entry_point(settings, app_imports, app.entries())
    if entry_point:
        check_entry_point(target, entry_point.module, entry_point.function, app_imports, stdlib_imports)

    # The interpreter's command line (-m, -c, scripts) may import anything: its app modules are the roots.
    entry_roots = [entry_point.module] if entry_point else list(app_imports)
    if entry_point and entry_point.module in stdlib_imports:
        # A stdlib module run as __main__ (entry_point = "json.tool") runs its command line too.
        entry_roots += [i for i in stdlib_imports[entry_point.module]["imports"]
                        if stdlib_imports[entry_point.module].get("weak", {}).get(i) != "type_checking"]
    roots = RUNTIME_MODULES + entry_roots + native_roots + [
        i for n, m in app_imports.items() for i in followed_imports(m, n, stdlib=False)]
    include = RUNTIME_PACKAGES + list(settings.stdlib_include)
    if settings.stdlib_mode == "imported":
        # Roots, not includes: an include of "encodings" would take the whole package.
        kept, only_if_named = runtime_packages(stdlib_imports, settings.stdlib_include)
        # A codec that the app's or its deps' code names in a string literal is embedded with its
        # built-ins: binaryornot's decode("gb2312"), charset detectors. Left out, its lookup would
        # fail at run time (cookiecutter crashed so on every template).
        roots += kept + sorted(named_codecs(app.entries(), only_if_named, _aliases_of(stdlib_entries)))
        include = list(settings.stdlib_include)
    if settings.extract_packages:
        include += [m for m in EXTRACT_MODULES if m in stdlib_imports]
    selected = set(select_stdlib(stdlib_imports, roots, settings.stdlib_mode, include, settings.stdlib_exclude))
    packages = {e.name for e in stdlib_entries if e.kind == MODULE and e.is_package and e.name in selected}

    entries = []
    for entry in stdlib_entries:
        keep = entry.name in selected if entry.kind == MODULE else _data_package(entry.name, packages) is not None
        if keep:
            entries.append(entry if settings.stdlib_sources else _without_source(entry))
    app_entries = app.entries()
    check_extract_packages(target, settings.extract_packages, entries + app_entries)
    access_notes = file_access_notes(app_entries, settings.extract_packages, settings.file_view)
    entries += [e if settings.include_sources else _without_source(e) for e in app_entries]
    entries += shared_object_entries
    # What start-up does not import (cold_modules.py); an interpreter's app modules are all roots.
    cold = []
    if "cold_bytecode" in settings.zstd_payloads:
        cold = cold_modules({**stdlib_imports, **app_imports}, {e.name for e in entries if e.kind == MODULE},
                            entry_roots + native_roots, entry_point.module if entry_point else None)
    try:
        blob = write_blob(entries, bytecode_magic=app.bytecode_magic, zstd_level=settings.zstd_level,
                          payloads=settings.zstd_payloads, zstd_dict_size=ZSTD_DICT_SIZE, cold=frozenset(cold))
    except BlobError as err:
        raise PackError(f"{target}: {err}") from None
    left_out = []
    if settings.stdlib_mode == "imported" and files.descriptor:
        imported = set(roots) | {i for name in selected for i in followed_imports(stdlib_imports[name], name, stdlib=True)}
        left_out = builtins_left_out(_distribution_builtins(files.descriptor, getattr(files, "extra_builtins", None)), imported)
    stdlib_left_out = sorted(set(stdlib_imports) - selected) if settings.stdlib_mode == "imported" else []
    if stdlib_left_out:
        access_notes = access_notes + dynamic_import_notes(app_imports)
    report = {
        "builtins_left_out": left_out,
        "stdlib_left_out": stdlib_left_out,
        "modules": sum(1 for e in entries if e.kind == MODULE),
        "stdlib_modules": len(selected),
        "data_files": sum(1 for e in entries if e.kind == DATA),
        "bytes": len(blob),
        "zstd_level": settings.zstd_level,
        "zstd_payloads": list(settings.zstd_payloads),
        "cold_modules": len(cold),
        "zstd_dict_bytes": read_blob_dict_size(blob),
        # What gen_glue.py writes into the C settings: main file and console script resolved.
        "entry_point": dataclasses.asdict(entry_point) if entry_point else None,
        "file_access": access_notes,
        # Embedded as they are and loaded from memory: the native gate checks them (native_exports.py).
        "shared_objects": shared_objects.report_of(loaded),
        # Modules that call the C library by name through ctypes: the executable exports it whole.
        "libc_by_name": sorted(name for name, info in app_imports.items() if info.get("libc_by_name")),
    }
    return blob, report


def dynamic_import_notes(app_imports):
    """One note when the app's modules import by a computed name (compile_bytecode: "*"), which
    the stdlib selection cannot follow."""
    dynamic = sorted(info["path"] for info in app_imports.values() if "*" in info["imports"])
    if not dynamic:
        return []
    shown = ", ".join(dynamic[:3]) + (f" and {len(dynamic) - 3} more" if len(dynamic) > 3 else "")
    return [
        f"{shown} import modules by a computed name (importlib.import_module, __import__); with "
        'stdlib = "imported" a standard library module imported only that way is not embedded: list it in '
        'stdlib_include (or set stdlib = "all")'
    ]


def _distribution_builtins(descriptor, extra=None):
    """The distribution's built-in modules, with its extra built-ins (pystatic.common.extra_builtins)."""
    extensions = extra_builtins.combined(descriptor, extra).extensions
    return sorted(name for name, info in extensions.items() if info.get("builtin"))


def _stdlib_extras(target, stdlib, stdlib_imports, extras):
    """The entries of more stdlib packs ([blob, imports] pairs), their imports merged into stdlib_imports."""
    entries = []
    for blob_path, imports_path in extras:
        extra = read_blob(blob_path)
        with open(imports_path, encoding="utf-8") as f:
            modules = json.load(f)["modules"]
        if extra.bytecode_magic != stdlib.bytecode_magic:
            raise PackError(f"{target}: {blob_path} was compiled by another Python version than the stdlib "
                            f"(bytecode magic {extra.bytecode_magic.hex()} vs {stdlib.bytecode_magic.hex()})")
        twice = sorted(set(modules) & set(stdlib_imports))
        if twice:
            raise PackError(f"{target}: {blob_path} has module '{twice[0]}', which the stdlib pack has too")
        stdlib_imports.update(modules)
        entries += extra.entries()
    return entries


def _aliases_of(stdlib_entries):
    """encodings.aliases' table {alias: codec module} from the stdlib pack's source ({} without it)."""
    entry = next((e for e in stdlib_entries if e.kind == MODULE and e.name == "encodings.aliases"), None)
    if entry is None or entry.source is None:
        return {}
    for node in ast.parse(entry.source).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["aliases"]:
            return ast.literal_eval(node.value)
    return {}


def _normalize_encoding(name):
    """encodings.normalize_encoding, lower-cased as encodings.search_function looks names up."""
    return re.sub(r"[^0-9a-z.]+", "_", name.lower()).strip("_")


def named_codecs(app_entries, codecs, aliases):
    """The codec modules among `codecs` (CODECS_ONLY_IF_NAMED ones) that an app or dependency module
    names, by module name or alias, in a string literal of its source."""
    by_name = {name.rpartition(".")[2]: name for name in codecs}
    by_name.update({alias: by_name[module.rpartition(".")[2]] for alias, module in aliases.items()
                    if module.rpartition(".")[2] in by_name})
    named = set()
    for entry in app_entries:
        if entry.kind != MODULE or entry.source is None:
            continue
        for literal in re.findall(rb"""['"]([A-Za-z][\w.\- ]{1,30})['"]""", entry.source):
            codec = by_name.get(_normalize_encoding(literal.decode("ascii", "replace")))
            if codec:
                named.add(codec)
    return named


def check_extract_packages(target, extract_packages, entries):
    packages = {e.name for e in entries if e.kind == MODULE and e.is_package}
    for package in extract_packages:
        if package not in packages:
            near = sorted(p for p in packages if p.split(".")[0] == package.split(".")[0])
            raise PackError(
                f"{target}: extract_packages names '{package}', which is no package of this binary.\n"
                f"  Fix: name an embedded package ({', '.join(near[:5]) or 'e.g. the top-level package of a dep'}), "
                "or add the dependency that provides it to deps."
            )


def file_access_notes(app_entries, extract_packages, file_view):
    """file_access's notes on the app's and its deps' modules (the stdlib is not scanned)."""
    modules = {}
    for entry in app_entries:
        if entry.kind == MODULE and entry.source is not None:
            # As the package sees it (`pkg/mod.py`), not where Bazel keeps the file.
            path = entry.name.replace(".", "/") + ("/__init__.py" if entry.is_package else ".py")
            modules[entry.name] = (path, entry.source.decode("utf-8", "replace"))
    lines = file_access.notes(modules, extract_packages)
    if not file_view:
        lines = [line.replace("served by the read-only file view", "would need the file view (file_view = False)") for line in lines]
    return lines


def read_blob_dict_size(blob):
    """Bytes of the zstd dictionary the written blob holds (0: none)."""
    return BlobReader(blob).dict_size


def _without_source(entry):
    if entry.source is None:
        return entry
    return Entry(entry.kind, entry.name, primary=entry.primary, is_package=entry.is_package)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--settings", required=True, help="the binary's settings (settings.py, written by binary.bzl)")
    parser.add_argument("--stdlib", required=True, help="stdlib pack (blob)")
    parser.add_argument("--stdlib_imports", required=True)
    parser.add_argument("--stdlib_extra", action="append", default=[], nargs=2, metavar=("BLOB", "IMPORTS"),
                        help="one more stdlib pack and its imports (an interpreter's ensurepip)")
    parser.add_argument("--app", required=True, help="the binary's own pack (blob)")
    parser.add_argument("--app_imports", required=True)
    parser.add_argument("--descriptor", help="the distribution's descriptor: its built-in modules (stdlib = imported)")
    parser.add_argument("--extra_builtins", help="the distribution's extra built-ins (JSON): built-in modules too")
    parser.add_argument("--output", required=True)
    parser.add_argument("--report", help="output: JSON summary (counts, size, the resolved entry point)")
    parser.add_argument("--shared_objects", help="output: JSON {shared_objects: [...]}, the native gate's only input "
                        "from this step (an app edit leaves it unchanged, so the gate stays cached)")
    parser.add_argument("--wheel_check", action="append", default=[],
                        help="JSON of a wheel check (PyStaticWheel): the modules it left out, the shared objects it loads")
    parser.add_argument("--native", action="append", default=[],
                        help="PATH=FILE: a shared object of a wheel (PATH below its import root), embedded if a check loads it")
    return parser.parse_args(expand_param_files(argv))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = BinarySettings.load(args.settings)
        blob, report = pack(settings, args)
    except (PackError, BlobError, SelectionError, SettingsError, left_out_imports.LeftOutImportError,
            shared_objects.SharedObjectError, extra_builtins.ExtraBuiltinsError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for note in report["file_access"]:
        print(f"note: {settings.target}: {note}", file=sys.stderr)
    with open(args.output, "wb") as out:
        out.write(blob)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=1, sort_keys=True)
            out.write("\n")
    if args.shared_objects:
        with open(args.shared_objects, "w", encoding="utf-8") as out:
            # What the native gate reads (native_exports.py); libc_by_name only when it lists modules.
            native = {"shared_objects": report["shared_objects"], "libc_by_name": report["libc_by_name"]}
            json.dump({k: v for k, v in native.items() if v or k == "shared_objects"}, out, indent=1, sort_keys=True)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
