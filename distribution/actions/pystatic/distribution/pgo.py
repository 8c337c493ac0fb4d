"""Profile-guided optimisation of a CPython build: the flags, the profile's staleness check, staging.

A library of build_cpython.py (docs/cpython.md, PGO).
"""

import hashlib
import lzma
import pathlib

from pystatic.distribution.configure_make import BuildError

# Profile-guided optimisation (docs/cpython.md, PGO): clang's front-end instrumentation. Its profile
# names each function with a hash of its control flow, so one profile, made once by
# bench/pgo/generate from an instrumented build of the same sources, serves every target and stays
# valid while the sources do. Passed to make as CFLAGS_NODIST: every object of CPython, none of
# configure's tests, and not recorded in sysconfig (extensions built later do not see it).
PGO_USE = {
    "-fprofile-instr-use={profile}": "the merged profile (.profdata) of the training run",
    "-Wno-profile-instr-unprofiled": "functions the training never ran: no warning for each",
    "-Wno-profile-instr-out-of-date": "a function whose hash changed keeps no profile; the version check below catches stale profiles",
    "-Wno-profile-instr-missing": "files without profile data (none expected, but not worth a warning)",
}
PGO_GENERATE = {
    "-fprofile-instr-generate": "instrumented build (bench/pgo/generate only); the profile runtime comes with --profile-runtime",
}
# clang's driver links the runtime with -u __llvm_profile_runtime (its static constructor registers
# the profile's writer at exit); zig cc does neither, so the instrumented links say it themselves.
PGO_GENERATE_LINK = ["-Wl,-u,__llvm_profile_runtime"]
# The profile's sidecar (<profile>.json, written by bench/pgo/generate) names what it was made from.
PGO_META_KEYS = ("python_version", "source_sha256")


def pgo_flags(profile=None, generate=False):
    """CFLAGS_NODIST words for a profile-using build, an instrumented one, or neither."""
    if profile and generate:
        raise BuildError("--profile and --profile-runtime (an instrumented build) exclude each other")
    if generate:
        return list(PGO_GENERATE)
    if profile:
        return [flag.format(profile=profile) for flag in PGO_USE]
    return []


def check_profile_meta(meta, version, source_sha256, profile_name):
    """BuildError unless the profile was made from this very CPython source."""
    missing = [k for k in PGO_META_KEYS if k not in meta]
    if missing:
        raise BuildError(f"{profile_name}: its .json names no {', '.join(missing)}; regenerate it with bench/pgo/generate")
    if (meta["python_version"], meta["source_sha256"]) != (version, source_sha256):
        raise BuildError(
            f"{profile_name} is stale: made from CPython {meta['python_version']} (source sha256 "
            f"{meta['source_sha256'][:12]}...), this build is {version} ({source_sha256[:12]}...). Fix: run "
            "bench/pgo/generate for the new source, or set pgo_profile = None for this build in toolchains/python_builds.bzl"
        )


def stage_profile(profile, work):
    """The profile decompressed into the scratch directory; it may be xz-compressed.

    Its name holds its sha256: zig's compiler cache keys an object on the source and the flags, not
    on the profile's content, so another profile must give other flags."""
    data = pathlib.Path(profile).read_bytes()
    if profile.endswith(".xz"):
        data = lzma.decompress(data)
    dest = work / f"cpython-{hashlib.sha256(data).hexdigest()[:16]}.profdata"
    dest.write_bytes(data)
    return dest
