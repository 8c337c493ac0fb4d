"""Seeds Bazel's repository cache with pinned source archives found on disk (offline builds).

Bazel looks a download up in its repository cache by sha256 alone, before any URL. So an archive
with the pinned sha256, from anywhere (here: Debian's .orig tarballs from `apt-get source`), makes
the pinned URL unnecessary. Files whose sha256 differs from every pin are reported, never used.
"""

import argparse
import json
import pathlib
import shutil
import sys

from pystatic.repository.hashing import sha256_of


def pinned_sources(sources_jsons):
    """[(name, entry)] for every source in the pin files (sources.json and files of its schema, e.g.
    distribution/toolchains/bolt/debs.json); entry["archives"] are its acceptable archives."""
    if isinstance(sources_jsons, (str, pathlib.Path)):
        sources_jsons = [sources_jsons]
    pinned = []
    for sources_json in sources_jsons:
        data = json.loads(pathlib.Path(sources_json).read_text())
        pinned += [
            (f"{group}:{key}", entry)
            for group, entries in sorted(data.items())
            if not group.startswith("_")
            for key, entry in sorted(entries.items())
        ]
    return pinned


def debian_packages(sources_jsons):
    """`apt-get source` arguments (NAME=VERSION) of every source that names a Debian package."""
    return [entry["debian"] for _, entry in pinned_sources(sources_jsons) if entry.get("debian")]


def debian_binaries(sources_jsons):
    """{suite: [`apt-get download` arguments (NAME=VERSION)]} of every pin that is a Debian binary package."""
    by_suite = {}
    for _, entry in pinned_sources(sources_jsons):
        if entry.get("debian_binary"):
            suite, package = entry["debian_binary"].split()
            by_suite.setdefault(suite, []).append(package)
    return by_suite


def cache_path(repository_cache, sha256):
    """Where Bazel's repository cache keeps a file with this sha256."""
    return pathlib.Path(repository_cache) / "content_addressable" / "sha256" / sha256 / "file"


def seed(sources_json, candidates, repository_cache):
    """Copies each candidate whose sha256 is pinned into the cache. Returns (seeded, missing) names."""
    by_sha = {}
    for path in candidates:
        by_sha.setdefault(sha256_of(path), path)
    seeded, missing = [], []
    for name, entry in pinned_sources(sources_json):
        # The first acceptable archive present wins (upstream before a verified repack).
        match = next((a for a in entry["archives"] if a["sha256"] in by_sha), None)
        if match is None:
            missing.append(name)
            continue
        found = by_sha[match["sha256"]]
        target = cache_path(repository_cache, match["sha256"])
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found, target.with_suffix(".tmp"))
            target.with_suffix(".tmp").rename(target)
        seeded.append(f"{name} <- {pathlib.Path(found).name} ({match['origin']})")
    return seeded, missing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", required=True, action="append",
                        help="distribution/toolchains/cpython/sources.json, or another pin file of its schema (repeatable)")
    parser.add_argument("--repository_cache", help="`bazel info repository_cache`")
    parser.add_argument("--list_debian", action="store_true", help="only print the Debian source packages")
    parser.add_argument("--list_debian_binaries", action="store_true",
                        help="only print the Debian binary packages, a line `SUITE NAME=VERSION...` per suite")
    parser.add_argument("archives", nargs="*", help="candidate archives (e.g. Debian .orig tarballs)")
    args = parser.parse_args(argv)
    if args.list_debian:
        print("\n".join(debian_packages(args.sources)))
        return 0
    if args.list_debian_binaries:
        for suite, packages in sorted(debian_binaries(args.sources).items()):
            print(suite, *packages)
        return 0
    if not args.repository_cache:
        parser.error("--repository_cache is required to seed")
    seeded, missing = seed(args.sources, args.archives, args.repository_cache)
    for line in seeded:
        print(f"seeded {line}")
    for name in missing:
        print(f"error: no archive with the pinned sha256 of {name} among the candidates", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
