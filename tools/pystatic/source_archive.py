"""Source archives as build actions see them: one tarball with one top-level directory."""

import pathlib
import tarfile

from pystatic.configure_make import BuildError


class ArchiveError(BuildError):
    """The source archive is unreadable or not shaped like a source tree."""


def extract_source(archive, dest):
    """Extracts `archive` into `dest` and returns its single top-level directory.

    The directory name is not taken from configuration: a verified repack (e.g. Debian's
    `zlib-1.3.dfsg+really1.3.2/`) may name it differently from upstream.
    """
    dest = pathlib.Path(dest)
    try:
        with tarfile.open(archive) as tar:
            tops = {pathlib.PurePosixPath(m.name).parts[0] for m in tar.getmembers() if m.name not in ("", ".")}
            if len(tops) != 1:
                raise ArchiveError(f"{archive}: expected one top-level directory, found {sorted(tops)[:5]}")
            tar.extractall(dest, filter="data")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise ArchiveError(f"{archive}: not a readable source archive: {err}") from err
    top = dest / tops.pop()
    if not top.is_dir():
        raise ArchiveError(f"{archive}: top-level entry {top.name} is not a directory")
    return top
