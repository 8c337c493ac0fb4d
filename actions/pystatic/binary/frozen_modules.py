"""CPython's frozen modules cut down to the import system's bootstrap, for the glue of one binary.

CPython 3.13's Python/frozen.o holds the marshalled code of 17 stdlib modules (os, codecs, io,
site, _collections_abc, ...; 0.42 MB with the test modules) besides the three the import system
needs before any other importer exists. A py_static_binary's blob serves the standard library,
with sources, so the frozen copies only duplicate it (and their tracebacks show no source lines).
The glue defines frozen.o's five global tables itself (`_PyImport_FrozenBootstrap`, ...): the
linker then never pulls frozen.o out of the archive, as the glue's `_PyImport_Inittab` keeps
config.o out. The bootstrap's bytes are copied from the distribution's own frozen.o (what
CPython's _freeze_module wrote), so they are the build's exact code objects.

Reads the static archive (GNU ar) and the ELF object with the standard library only.
"""

import struct

# The bootstrap set (Python/frozen.c's bootstrap_modules): (module name, symbol of its marshalled
# code in frozen.o, the module it is an alias of (frozen.c's aliases) or None).
BOOTSTRAP = (
    ("_frozen_importlib", "_Py_M__importlib__bootstrap", "importlib._bootstrap"),
    ("_frozen_importlib_external", "_Py_M__importlib__bootstrap_external", "importlib._bootstrap_external"),
    ("zipimport", "_Py_M__zipimport", None),
)
# The member of the distribution's libpython archive that defines the frozen tables.
MEMBER = "frozen.o"
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
    with open(path, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise FrozenError(f"{path}: not an ar archive")
        long_names = b""
        while True:
            header = f.read(60)
            if len(header) < 60:
                return None
            name, size = header[:16].rstrip(b" "), int(header[48:58])
            if name == b"//":
                long_names = f.read(size)
            elif name.startswith(b"/") and name[1:].isdigit():
                start = int(name[1:])
                name = long_names[start : long_names.index(b"/\n", start)]
            if name.rstrip(b"/") == member.encode():
                return f.read(size)
            if name != b"//":
                f.seek(size, 1)
            if size % 2:
                f.seek(1, 1)


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


def bootstrap_code(archive):
    """[(module, marshalled code, alias of)] of BOOTSTRAP, read from the archive's frozen.o."""
    obj = archive_member(archive, MEMBER)
    if obj is None:
        raise FrozenError(f"{archive} has no {MEMBER}; this CPython build does not freeze modules the way 3.13 does")
    symbols = elf_symbols(obj, f"{archive}({MEMBER})")
    found = []
    for module, symbol, alias in BOOTSTRAP:
        code = symbols.get(symbol)
        if not code or code[0] & ~FLAG_REF != MARSHALLED_CODE:
            raise FrozenError(f"{archive}({MEMBER}): no marshalled code object {symbol} (module {module})")
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
