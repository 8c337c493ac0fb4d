"""The members of a static library: a GNU/SysV ar archive (GNU ar's for ELF objects, llvm-ar's
for zig's COFF objects)."""


class ArchiveError(Exception):
    pass


def archive_members(path, wanted=lambda name: True):
    """(member name, bytes) of each member of a GNU/SysV ar archive whose name `wanted` accepts, symbol
    tables left out; the others are skipped unread (libpython's archive is tens of MB)."""
    with open(path, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise ArchiveError(f"{path}: not an ar archive")
        long_names = b""
        while True:
            header = f.read(60)
            if len(header) < 60:
                return
            name, size = header[:16].rstrip(b" "), int(header[48:58])
            padded = size + size % 2
            if name == b"//":
                long_names = f.read(padded)[:size]
                continue
            if name in (b"/", b"/SYM64/", b"__.SYMDEF"):
                f.seek(padded, 1)
                continue
            if name.startswith(b"/") and name[1:].isdigit():
                start = int(name[1:])
                # GNU ends each long name with "/\n", llvm-ar's COFF archives with NUL.
                ends = [i for i in (long_names.find(b"/\n", start), long_names.find(b"\0", start)) if i >= 0]
                name = long_names[start : min(ends) if ends else len(long_names)]
            name = name.rstrip(b"/").decode(errors="replace")
            if not wanted(name):
                f.seek(padded, 1)
                continue
            data = f.read(padded)[:size]
            yield name, data
