"""Source archives as build actions see them: one tarball or zip with one top-level directory."""

import pathlib
import tarfile
import zipfile

from pystatic.distribution.configure_make import BuildError


class ArchiveError(BuildError):
    """The source archive is unreadable or not shaped like a source tree."""


def _top_level(names, archive):
    tops = {pathlib.PurePosixPath(n).parts[0] for n in names if n not in ("", ".", "./")}
    if len(tops) != 1:
        raise ArchiveError(f"{archive}: expected one top-level directory, found {sorted(tops)[:5]}")
    return tops.pop()


def _extract_zip(archive, dest):
    """Like tar: keeps the Unix permission bits (zipfile drops them; `configure` must stay executable)."""
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        top = _top_level([m.filename for m in members], archive)
        for member in members:
            path = pathlib.Path(zf.extract(member, dest))
            mode = (member.external_attr >> 16) & 0o777
            if mode and not member.is_dir():
                path.chmod(mode)
    return top


def extract_source(archive, dest):
    """Extracts `archive` into `dest` and returns its single top-level directory.

    The directory name is not taken from configuration: a verified repack (e.g. Debian's
    `zlib-1.3.dfsg+really1.3.2/`) may name it differently from upstream. The format comes from
    the content, not the file name: a repack may be a tarball where upstream ships a zip.
    """
    dest = pathlib.Path(dest)
    try:
        if zipfile.is_zipfile(archive):
            top = _extract_zip(archive, dest)
        else:
            with tarfile.open(archive) as tar:
                top = _top_level([m.name for m in tar.getmembers()], archive)
                tar.extractall(dest, filter="data")
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as err:
        raise ArchiveError(f"{archive}: not a readable source archive: {err}") from err
    top = dest / top
    if not top.is_dir():
        raise ArchiveError(f"{archive}: top-level entry {top.name} is not a directory")
    return top
