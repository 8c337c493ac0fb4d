"""The members of a static library: a GNU/SysV ar archive (GNU ar's for ELF objects, llvm-ar's
for zig's COFF objects)."""


class ArchiveError(Exception):
    pass


def archive_members(path):
    """(member name, bytes) of each member of a GNU/SysV ar archive, symbol tables left out."""
    with open(path, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise ArchiveError(f"{path}: not an ar archive")
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
