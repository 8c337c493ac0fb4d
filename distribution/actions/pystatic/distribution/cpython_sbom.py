"""CPython's own Misc/sbom.spdx.json (bundled libraries) and the source archive's sha256, for binaries' SBOMs.

  --extract_cpython ARCHIVE --output F   PyStaticCPythonSbom (an action of cpython_static_distribution)
"""

import argparse
import hashlib
import json
import lzma
import pathlib
import sys
import tarfile


class SbomError(Exception):
    pass


def extract_cpython_sbom(archive, output):
    """Misc/sbom.spdx.json of the CPython source archive, with the archive's name and sha256."""
    path = pathlib.Path(archive)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    sbom = None
    try:
        with tarfile.open(path) as tar:
            for member in tar:
                if member.isfile() and member.name.split("/", 1)[-1] == "Misc/sbom.spdx.json":
                    sbom = json.load(tar.extractfile(member))
                    break
    except (tarfile.TarError, lzma.LZMAError, OSError) as err:
        raise SbomError(f"{path.name}: cannot read the CPython source archive: {err}") from err
    if sbom is None:
        raise SbomError(f"{path.name} has no Misc/sbom.spdx.json (CPython ships it since 3.12.2/3.13)")
    # Its packages are what a binary may contain; its file list (checksums of each source file) is not needed.
    kept = {"packages": sbom.get("packages", []), "spdxVersion": sbom.get("spdxVersion", "")}
    pathlib.Path(output).write_text(json.dumps({"source_file": path.name, "source_sha256": digest, "sbom": kept},
                                               indent=1, sort_keys=True) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract_cpython", required=True, help="CPython source archive")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    try:
        extract_cpython_sbom(args.extract_cpython, args.output)
    except (SbomError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
