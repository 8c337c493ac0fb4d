"""Providers of the static CPython distribution."""

load("//toolchains:targets.bzl", "TARGETS")

PyStaticDistributionInfo = provider(
    doc = "A CPython built as static objects for one target platform (distribution/actions/pystatic/distribution/build_cpython.py).",
    fields = {
        "abiflags": "str: the ABI flags in file names: \"\" or \"t\" (free-threaded: libpython3.13t.a, lib/python3.13t).",
        "cpython_sbom": "File: JSON, the source archive's name, sha256 and Misc/sbom.spdx.json packages (actions/pystatic/binary/sbom.py).",
        "deps": "list of StaticDependencyInfo: the C libraries it was built with (libffi, zlib, OpenSSL, ...), whose archives " +
                "it holds and every binary links; their prefixes give packages built from sdists the headers and pkg-config files.",
        "descriptor": "File: JSON descriptor (link inputs, built-in extensions, licences, ...).",
        "distribution": "File (directory): libpython and helper archives, headers, stdlib, interpreter.",
        "python_version": "str: full version, e.g. 3.13.15.",
        "source": "File: the CPython source archive it was built from (the runtime toolchain takes Lib/ensurepip from it).",
        "target_triple": "str: e.g. x86_64-linux-musl.",
    },
)

def ldversion(dist):
    """X.Y plus the ABI flags, as in the distribution's file names: "3.13", "3.13t".

    Args:
      dist: PyStaticDistributionInfo.

    Returns:
      str: bin/python<ldversion>, lib/python<ldversion>, libpython<ldversion>.a.
    """
    return dist.python_version.rpartition(".")[0] + dist.abiflags

StaticDependencyInfo = provider(
    doc = "A C library built as a static archive for the distribution's target.",
    fields = {
        "name": "str: recipe name, e.g. zlib.",
        "origin": "File: origin.json (version, licence, which pinned archive was used).",
        "prefix": "File (directory): include/, lib/*.a, lib/pkgconfig/, LICENSE.<name>.",
    },
)

PyStaticExtraBuiltinsInfo = provider(
    doc = "Built-in modules compiled against a distribution in their own action (cpython_extra_builtins: _curses, _curses_panel, readline).",
    fields = {
        "builtins": "File: JSON of distribution/actions/pystatic/common/extra_builtins.py (modules, init functions, archives, licences).",
        "directory": "File (directory): the archives and licence texts the JSON names.",
    },
)

def is_windows(dist):
    """Whether the distribution is for a windows row of TARGETS (PCbuild's layout: windows.bzl).

    Args:
      dist: PyStaticDistributionInfo.

    Returns:
      bool.
    """
    return TARGETS[dist.target_triple].os == "windows"

def stdlib_dir(dist):
    """The standard library's directory in the distribution, as its descriptor's `stdlib` says.

    Args:
      dist: PyStaticDistributionInfo.

    Returns:
      str: lib/python<ldversion> (Linux: pystatic.common.descriptor.layout), Lib (Windows:
      pystatic.distribution.windows_descriptor.WINDOWS_LAYOUT, getpath's landmark beside python.exe).
    """
    return "Lib" if is_windows(dist) else "lib/python" + ldversion(dist)
