"""Static archives of COFF objects (llvm-ar's form, as zig writes them for Windows) and the
external symbols each object defines: what a Windows executable's export table can name."""

import struct

# IMAGE_SYM_CLASS_EXTERNAL, and the complex type of a function (IMAGE_SYM_DTYPE_FUNCTION << 4).
EXTERNAL = 2
FUNCTION = 0x20
AMD64 = b"\x64\x86"


class CoffError(Exception):
    pass


def archive_members(path):
    """(member name, bytes) of each member of a GNU/SysV ar archive, symbol tables left out."""
    with open(path, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise CoffError(f"{path}: not an ar archive")
        long_names = b""
        while True:
            header = f.read(60)
            if len(header) < 60:
                return
            name, size = header[:16].rstrip(b" "), int(header[48:58])
            data = f.read(size)
            if size % 2:
                f.read(1)
            if name == b"//":
                long_names = data
                continue
            if name in (b"/", b"/SYM64/", b"__.SYMDEF"):
                continue
            if name.startswith(b"/") and name[1:].isdigit():
                start = int(name[1:])
                # GNU ends each long name with "/\n", llvm-ar's COFF archives with NUL.
                ends = [i for i in (long_names.find(b"/\n", start), long_names.find(b"\0", start)) if i >= 0]
                name = long_names[start : min(ends) if ends else len(long_names)]
            yield name.rstrip(b"/").decode(errors="replace"), data


def external_symbols(obj, what):
    """[(name, is_function)] of the external symbols an x86_64 COFF object defines."""
    if len(obj) < 20 or obj[:2] != AMD64:
        raise CoffError(f"{what}: not an x86_64 COFF object")
    sections_count, _stamp, symbols_at, symbols_count = struct.unpack_from("<HIII", obj, 2)
    strings_at = symbols_at + symbols_count * 18
    found, i = [], 0
    while i < symbols_count:
        raw, _value, section, kind, storage, aux = struct.unpack_from("<8sIhHBB", obj, symbols_at + i * 18)
        if storage == EXTERNAL and 0 < section <= sections_count:
            if raw[:4] == b"\0\0\0\0":
                start = strings_at + struct.unpack_from("<I", raw, 4)[0]
                raw = obj[start : obj.index(b"\0", start)]
            found.append((raw.rstrip(b"\0").decode(), kind & 0xF0 == FUNCTION))
        i += 1 + aux
    return found
