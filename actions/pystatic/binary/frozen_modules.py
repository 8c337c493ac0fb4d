"""CPython's frozen modules cut down to the import system's bootstrap, for the glue of one binary.

CPython 3.13's Python/frozen.o holds the marshalled code of 17 stdlib modules (os, codecs, io,
site, _collections_abc, ...; 0.42 MB with the test modules) besides the three the import system
needs before any other importer exists. A py_static_binary's blob serves the standard library,
with sources, so the frozen copies only duplicate it (and their tracebacks show no source lines).
The glue defines frozen.o's five global tables itself (`_PyImport_FrozenBootstrap`, ...): the
linker then never pulls frozen.o out of the archive, as the glue's `_PyImport_Inittab` keeps
config.o out. The bootstrap's bytes are copied from the distribution's own frozen.o (what
CPython's _freeze_module wrote), so they are the build's exact code objects.

Reads the static archive (GNU ar; llvm-ar's COFF form for Windows) and the ELF or COFF object with
the standard library only.
"""

import struct

from pystatic.format.ar import ArchiveError, archive_members

# The bootstrap set (Python/frozen.c's bootstrap_modules): (module name, symbol of its marshalled
# code in frozen.o, the module it is an alias of (frozen.c's aliases) or None).
BOOTSTRAP = (
    ("_frozen_importlib", "_Py_M__importlib__bootstrap", "importlib._bootstrap"),
    ("_frozen_importlib_external", "_Py_M__importlib__bootstrap_external", "importlib._bootstrap_external"),
    ("zipimport", "_Py_M__zipimport", None),
)
# The member of the distribution's libpython archive that defines the frozen tables: make's name
# (Linux), or build_cpython_windows.py's (objects named by their source's path).
MEMBERS = ("frozen.o", "Python_frozen.o")
# Its global tables (import.c reads them); the glue defines every one, or frozen.o is linked anyway.
TABLES = ("_PyImport_FrozenBootstrap", "_PyImport_FrozenStdlib", "_PyImport_FrozenTest", "_PyImport_FrozenAliases",
          "PyImport_FrozenModules")
# marshal's TYPE_CODE ('c'), with or without FLAG_REF (0x80): the first byte of a marshalled code object.
MARSHALLED_CODE = ord("c")
FLAG_REF = 0x80


class FrozenError(Exception):
    pass


def archive_member(path, member):
    """The bytes of `member` of a GNU/SysV ar archive, or None when it has no such member."""
    try:
        return next((data for _, data in archive_members(path, wanted=lambda name: name == member)), None)
    except ArchiveError as err:
        raise FrozenError(str(err)) from err


def elf_symbols(obj, what):
    """{symbol name: its bytes} of the defined symbols of a little-endian ELF64 relocatable object."""
    if obj[:4] != b"\x7fELF" or obj[4] != 2 or obj[5] != 1:
        raise FrozenError(f"{what}: not a little-endian ELF64 object")
    shoff, = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", obj, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize) for i in range(shnum)]
    symbols = {}
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 2:  # SHT_SYMTAB
            continue
        strtab = sections[link]
        for at in range(offset, offset + size, entsize):
            name_at, _info_byte, _other, shndx, value, sym_size = struct.unpack_from("<IBBHQQ", obj, at)
            if shndx == 0 or shndx >= len(sections):
                continue  # undefined, or absolute/common
            start = strtab[4] + name_at
            name = obj[start : obj.index(b"\0", start)].decode()
            data_at = sections[shndx][4] + value
            symbols[name] = obj[data_at : data_at + sym_size]
    return symbols


def coff_symbols(obj, what):
    """{symbol name: its bytes} of the defined symbols of an x86_64 COFF object. COFF symbols have no
    size: a symbol's bytes run to the next symbol of its section, or the section's end (with
    -fdata-sections each marshalled array has a section of its own)."""
    if len(obj) < 20 or obj[:2] != b"\x64\x86":
        raise FrozenError(f"{what}: not an x86_64 COFF object")
    sections_count, _stamp, symbols_at, symbols_count, optional_size = struct.unpack_from("<HIIIH", obj, 2)
    sections = [struct.unpack_from("<8sIIIIIIHHI", obj, 20 + optional_size + i * 40) for i in range(sections_count)]
    strings_at = symbols_at + symbols_count * 18
    defined, i = [], 0
    while i < symbols_count:
        raw, value, section, _type, _storage, aux = struct.unpack_from("<8sIhHBB", obj, symbols_at + i * 18)
        if raw[:4] == b"\0\0\0\0":
            start = strings_at + struct.unpack_from("<I", raw, 4)[0]
            raw = obj[start : obj.index(b"\0", start)]
        if 0 < section <= sections_count:
            defined.append((raw.rstrip(b"\0").decode(), section, value))
        i += 1 + aux
    symbols = {}
    for name, section, value in defined:
        raw_size, raw_at = sections[section - 1][3:5]
        end = min([v for _, s, v in defined if s == section and v > value] + [raw_size])
        symbols[name] = obj[raw_at + value : raw_at + end]
    return symbols


def bootstrap_code(archive):
    """[(module, marshalled code, alias of)] of BOOTSTRAP, read from the archive's frozen.o."""
    for member in MEMBERS:
        obj = archive_member(archive, member)
        if obj is not None:
            break
    else:
        raise FrozenError(f"{archive} has no {' or '.join(MEMBERS)}; this CPython build does not freeze modules the way 3.13 does")
    read = coff_symbols if obj[:4] != b"\x7fELF" else elf_symbols
    symbols = read(obj, f"{archive}({member})")
    found = []
    for module, symbol, alias in BOOTSTRAP:
        code = symbols.get(symbol)
        if not code or code[0] & ~FLAG_REF != MARSHALLED_CODE:
            raise FrozenError(f"{archive}({member}): no marshalled code object {symbol} (module {module})")
        found.append((module, code, alias))
    return found


def _c_bytes(data):
    return "\n".join("    " + "".join(f"{b}," for b in data[i : i + 40]) for i in range(0, len(data), 40))


def glue_source(archive):
    """C definitions of frozen.o's tables holding only the bootstrap (copied from the archive)."""
    lines = [
        "/* CPython's frozen modules, bootstrap only (actions/pystatic/binary/frozen_modules.py): the blob",
        " * serves the standard library, so frozen.o (os, codecs, io, ... again) stays out of the link. */",
        "struct _module_alias { const char *name; const char *orig; }; /* Include/internal/pycore_import.h */",
    ]
    modules = bootstrap_code(archive)
    for i, (module, code, _alias) in enumerate(modules):
        lines += [f"static const unsigned char pystatic_frozen_{i}[{len(code)}] = {{ /* {module} */", _c_bytes(code), "};"]
    lines.append("static const struct _frozen pystatic_frozen_bootstrap[] = {")
    lines += [f'    {{"{module}", pystatic_frozen_{i}, {len(code)}, 0}},' for i, (module, code, _) in enumerate(modules)]
    lines += ["    {0, 0, 0, 0},", "};", "static const struct _frozen pystatic_frozen_none[] = {{0, 0, 0, 0}};"]
    lines.append("static const struct _module_alias pystatic_frozen_aliases[] = {")
    lines += [f'    {{"{module}", "{alias}"}},' for module, _, alias in modules if alias]
    lines += [
        "    {0, 0},",
        "};",
        "const struct _frozen *_PyImport_FrozenBootstrap = pystatic_frozen_bootstrap;",
        "const struct _frozen *_PyImport_FrozenStdlib = pystatic_frozen_none;",
        "const struct _frozen *_PyImport_FrozenTest = pystatic_frozen_none;",
        "const struct _module_alias *_PyImport_FrozenAliases = pystatic_frozen_aliases;",
        "const struct _frozen *PyImport_FrozenModules = NULL;",
        "",
    ]
    return "\n".join(lines)
