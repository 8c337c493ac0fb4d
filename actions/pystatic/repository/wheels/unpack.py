"""Unpacking wheels and sdists into the repository, and reading their metadata.

A wheel is unpacked like an installer does (.data/purelib|platlib to the root; .data/data to the
root too, because a binary's `sys.prefix` is the root of its file tree; .data/scripts that are
static programs to `bin/`, where sysconfig's "scripts" path of a binary points; other scripts and
headers dropped), without .pyc files; unsafe paths are refused.
"""

import email.parser
import json
import shutil
import struct
import tarfile
import zipfile

from packaging.requirements import Requirement

from pystatic.modules.names import is_native_file, python_source_name
from pystatic.repository.wheels.lock import LockError


def unpack_sdist(archive, dest):
    """Unpacks an sdist without its top directory (`name-version/`)."""
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            members = [(i.filename, i) for i in zf.infolist() if not i.is_dir()]
            opener = zf.open
    else:
        tf = tarfile.open(archive)
        members = [(m.name, m) for m in tf.getmembers() if m.isfile()]
        opener = tf.extractfile
    for name, member in members:
        parts = name.split("/")[1:]
        if not parts or name.startswith("/") or ".." in parts:
            raise LockError(f"{archive.name}: unsafe path in the sdist: {name}")
        target = dest.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with opener(member) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)


# Written into each unpacked wheel's .dist-info: the lock, the wheel file and its sha256 (and the
# sdist's, when fetched), so a binary's SBOM names the exact files (actions/pystatic/binary/sbom.py).
LOCK_RECORD = "pystatic_lock.json"


def unpack_wheel(wheel_path, dest):
    """Unpacks to dest like an installer: .data/purelib|platlib to the root, static programs among
    .data/scripts to `bin/` (a binary's sysconfig "scripts" path: uv's `find_uv_bin()` looks there and
    the spawn hook runs a copy on disk), other scripts and headers dropped.
    .data/data goes to the root as well: an installer puts it under `sys.prefix`
    (`share/jupyter/nbconvert/templates/`, `share/man/`), which in a binary is the executable, the
    root its files are found below, so `os.path.join(sys.prefix, "share", ...)` finds them.

    Returns (native files relative to dest, dropped paths, the .dist-info directory name, the `.py`
    files no import can name), each sorted. Those `.py` files (`mypyc/lib-rt/build_setup.py`: a
    hyphen in a directory, a dot in a stem) are only files once installed, so the wheel's target
    lists them as data.
    """
    natives, dropped, dist_info, unimportable = [], [], None, []
    with zipfile.ZipFile(wheel_path) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir():
                continue
            parts = name.split("/")
            if name.startswith("/") or ".." in parts or "\\" in name:
                raise LockError(f"{wheel_path.name}: unsafe path in the wheel: {name}")
            if parts[0].endswith(".data") and len(parts) > 2:
                if parts[1] == "scripts" and len(parts) == 3:
                    with zf.open(info) as src:
                        program = src.read()
                    if is_static_program(program):
                        (dest / "bin").mkdir(parents=True, exist_ok=True)
                        (dest / "bin" / parts[2]).write_bytes(program)
                        continue
                if parts[1] not in ("purelib", "platlib", "data"):
                    dropped.append(name)
                    continue
                parts = parts[2:]
            if parts[0].endswith(".dist-info"):
                dist_info = parts[0]
            if name.endswith(".pyc"):
                continue
            rel = "/".join(parts)
            if is_native_file(rel):
                natives.append(rel)
            elif rel.endswith(".py") and python_source_name(rel) is None:
                unimportable.append(rel)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    if dist_info is None:
        raise LockError(f"{wheel_path.name} has no .dist-info directory: not a wheel.")
    return sorted(natives), sorted(dropped), dist_info, sorted(unimportable)


def is_static_program(data):
    """Whether `data` is a 64-bit ELF program the kernel runs without a dynamic loader (no PT_INTERP):
    ruff's and uv's programs are (Rust, static musl), so they run from a copy on disk on any Linux;
    one linked against musl's loader would run on a musl system only."""
    if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] != 2 or data[5] not in (1, 2):
        return False
    endian = "<" if data[5] == 1 else ">"
    if struct.unpack_from(endian + "H", data, 16)[0] not in (2, 3):  # ET_EXEC, ET_DYN
        return False
    (phoff,) = struct.unpack_from(endian + "Q", data, 32)
    phentsize, phnum = struct.unpack_from(endian + "HH", data, 54)
    if phnum == 0 or phoff + phnum * phentsize > len(data):
        return False
    return all(struct.unpack_from(endian + "I", data, phoff + i * phentsize)[0] != 3 for i in range(phnum))


def requirements_of(metadata_text):
    message = email.parser.Parser().parsestr(metadata_text)
    return [Requirement(r) for r in message.get_all("Requires-Dist") or []]


def write_lock_record(dist_info_dir, record):
    """<dist-info>/pystatic_lock.json: which locked file the package came from, for the SBOM
    (actions/pystatic/binary/sbom.py reads it from the binary's resource blob)."""
    (dist_info_dir / LOCK_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
