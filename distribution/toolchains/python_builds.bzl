"""The Python builds rules_pystatic makes: one row per CPython version x variant.

Everything that varies per build is here: the distributions, runtimes and runtime toolchains of
toolchains/cpython/BUILD.bazel, the values of the build setting //python:version, the wheel ABI
of pystatic.wheels. Adding a build (e.g. CPython 3.14) is one row plus its source pin in
distribution/toolchains/cpython/sources.json (ARCHITECTURE.md, "Adding a Python build").

Fields of a row:
  source: key of the pinned CPython source in sources.json ("cpython" group), major.minor.
  free_threaded: configure --disable-gil (PEP 703); the ABI flag "t" in file names and wheel tags.
  pgo_profile: the PGO profile (distribution/toolchains/cpython/pgo, made by bench/pgo/generate for this
    build's source), or None. The free-threaded build has none: its code differs (the GIL build's
    profile would leave much of it unprofiled; not measured).
  bolt_profiles: {CPU: label} of BOLT's profile of the interpreter core per target CPU (made by
    bench/bolt.py --write-profile for this build's source; py_static_binary's bolt, docs/cpython.md, BOLT).
    x86_64 only: BOLT's aarch64 support is younger and qemu cannot measure it.
  lto: ThinLTO of the interpreter core (docs/cpython.md, LTO; about 1 min more per CPython build).
"""

PYTHON_BUILDS = {
    "3.13": struct(
        source = "3.13",
        free_threaded = False,
        pgo_profile = "//toolchains/cpython/pgo:cpython_3_13",
        bolt_profiles = {"x86_64": "//toolchains/cpython/bolt:cpython_3_13_x86_64"},
        lto = True,
    ),
    "3.13t": struct(source = "3.13", free_threaded = True, pgo_profile = None, bolt_profiles = {}, lto = True),
}

# What --@rules_pystatic//python:version is unless set, and what py_static_binary builds.
DEFAULT_PYTHON_BUILD = "3.13"

def abiflags(build):
    """The ABI flags of a build in file names and tags: "" or "t" (free-threaded)."""
    return "t" if PYTHON_BUILDS[build].free_threaded else ""

def build_suffix(build):
    """The build's name in target names: "3.13t" -> "3_13t"."""
    return build.replace(".", "_")

def distribution_name(build):
    return "cpython_" + build_suffix(build)

def runtime_name(build):
    return "runtime_" + build_suffix(build)

def wheel_abi(build):
    """The CPython ABI tag of wheels built for it: cp313, cp313t."""
    return "cp" + PYTHON_BUILDS[build].source.replace(".", "") + abiflags(build)
