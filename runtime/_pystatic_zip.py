"""The executable read as a zip archive of its embedded tree, for `zipfile.ZipFile(<executable>)`.

The executable is a file on `sys.path`, which is what a zipapp is: code written for zipapps takes it
for one and reads its own files through zipfile (virtualenv: `os.path.isfile(<its root>)`, then
`zipfile.ZipFile(ROOT).extract(...)` of its interpreter probe and seed wheels; poetry, tox and
pre-commit create environments with it). The importer patches zipfile when it is imported: a
ZipFile opened on the executable (the real ELF file, which has no zip directory) lists the tree's
files as stored members and reads them from the blob. Read only; any other file is zipfile's as
it is. See docs/import-protocol.md, "Files inside the binary".
"""

import _io
import sys

from _pystatic_tree import file_size, files_below, read

# The executable file itself: sys._stdlib_dir (main.c).
_EXECUTABLE = sys._stdlib_dir


def _stdlib(name):
    # sys.modules, not fromlist=["_"]: see _pystatic_bootstrap._import.
    __import__(name)  # a name in a variable: no edge for the pack step's import scan
    return sys.modules[name]


def _is_executable(zip_file):
    os = _stdlib("os")
    filename = getattr(zip_file, "filename", None)
    try:
        return isinstance(filename, (str, bytes)) and os.path.samefile(filename, _EXECUTABLE)
    except (OSError, ValueError):
        return False


def patch(zipfile):
    """Makes zipfile.ZipFile read the executable as the zip archive of its tree."""
    original_contents, original_open = zipfile.ZipFile._RealGetContents, zipfile.ZipFile.open

    class TreeMember(zipfile.ZipInfo):
        __slots__ = ("_pystatic_key",)  # kept when a caller renames the member (virtualenv's extract)

    def _RealGetContents(self):
        try:
            return original_contents(self)
        except zipfile.BadZipFile:
            if self.mode != "r" or not _is_executable(self):
                raise
        for key in files_below(""):
            info = TreeMember(key, date_time=(1980, 1, 1, 0, 0, 0))
            info.file_size = info.compress_size = file_size(key)  # nothing read until a member is
            info._pystatic_key = key
            self.filelist.append(info)
            self.NameToInfo[key] = info

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        info = name if isinstance(name, zipfile.ZipInfo) else self.NameToInfo.get(name)
        if not isinstance(info, TreeMember) or mode != "r":
            return original_open(self, name, mode, pwd, force_zip64=force_zip64)
        member = _io.BytesIO(read(info._pystatic_key))
        member.name = info.filename
        return member

    zipfile.ZipFile._RealGetContents = _RealGetContents
    zipfile.ZipFile.open = open
