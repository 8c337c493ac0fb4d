"""Installing a built wheel like an installer, its native modules kept apart."""

import zipfile

from pystatic.modules.names import is_native_file


def install_wheel(wheel, site):
    """Unpacks a wheel like an installer (purelib/platlib to the root, RECORD and .pyc dropped).

    Returns [(path of each native module, its bytes)], which are not written.
    """
    site.mkdir(parents=True, exist_ok=True)
    natives = []
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            parts = name.split("/")
            if info.is_dir() or name.endswith(".pyc") or ".." in parts or name.startswith("/"):
                continue
            if parts[0].endswith(".data") and len(parts) > 2:
                if parts[1] not in ("purelib", "platlib"):
                    continue
                parts = parts[2:]
            rel = "/".join(parts)
            if is_native_file(rel):
                natives.append((rel, zf.read(info)))
                continue
            if parts[0].endswith(".dist-info") and parts[-1] == "RECORD":
                continue
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
    return natives
