"""The external symbols an x86_64 COFF object defines (zig's objects for Windows): what a Windows
executable's export table can name."""

import struct

# IMAGE_SYM_CLASS_EXTERNAL, and the complex type of a function (IMAGE_SYM_DTYPE_FUNCTION << 4).
EXTERNAL = 2
FUNCTION = 0x20
AMD64 = b"\x64\x86"


class CoffError(Exception):
    pass


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
