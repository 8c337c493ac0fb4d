"""The distribution's descriptor: one JSON file beside the distribution directory (build_cpython.py).

It tells later steps what the distribution holds: what to link, which modules are built in and
which configure left out, the licences, and the layout of the prefix (stdlib, interpreter,
inittab). build_cpython.py writes it with `dump`; every reader goes through `load`, which checks
the format version and gives typed accessors, so a key has one owner and an old descriptor fails
with the fix instead of a KeyError.

Starlark cannot read files at analysis time: rules that need a path before the build
(the interpreter that runs an action, the stdlib directory) use the same layout (`interpreter`,
`stdlib` below), and tests/integration/test_cpython.py checks the written descriptor against it.
"""

import json

# Bump when a key changes meaning or goes; readers refuse other versions.
VERSION = 2

KEYS = (
    "abiflags",
    "extensions",
    "extensions_left_out",
    "inittab",
    "interpreter",
    "licenses",
    "link",
    "pgo",
    "python_version",
    "stdlib",
    "stdlib_excluded",
    "target_triple",
    "version",
)


class DescriptorError(Exception):
    pass


def major_minor(python_version):
    """'3.13' of '3.13.15'."""
    return ".".join(python_version.split(".")[:2])


def layout(python_version, abiflags=""):
    """The prefix layout of a distribution of `python_version`: {key: path relative to the distribution}.

    `abiflags` is "t" for a free-threaded build (bin/python3.13t, lib/python3.13t)."""
    short = major_minor(python_version) + abiflags
    return {"interpreter": f"bin/python{short}", "stdlib": f"lib/python{short}", "inittab": "config.c"}


def new(*, python_version, abiflags="", target_triple, archives, system_libraries, builtins, extensions_left_out,
        stdlib_excluded, licenses, pgo=None):
    """A descriptor dict; `builtins` is {module: init function}."""
    return {
        "version": VERSION,
        "python_version": python_version,
        "abiflags": abiflags,
        "target_triple": target_triple,
        # Order matters for static linking: libpython first, then what its modules need.
        "link": {"archives": list(archives), "system_libraries": list(system_libraries)},
        "stdlib_excluded": dict(stdlib_excluded),
        "extensions": {name: {"init": init, "builtin": True} for name, init in sorted(builtins.items())},
        "extensions_left_out": dict(extensions_left_out),
        "licenses": list(licenses),
        # None, or the profile the build used ({"profile", "profile_sha256", "python_version", ...}),
        # or {"instrumented": True} for bench/pgo/generate's instrumented build.
        "pgo": dict(pgo) if pgo else None,
        **layout(python_version, abiflags),
    }


def dump(data, path):
    """Writes a descriptor made by `new` (checked first, so a writer cannot emit what readers refuse)."""
    checked = Descriptor(data, path)
    missing = sorted(set(KEYS) - set(data))
    if missing:
        raise DescriptorError(f"{checked.path}: descriptor keys missing: {missing}")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)
        out.write("\n")


def load(path):
    """The Descriptor in `path`; DescriptorError (naming the file and the fix) if it is not one."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as err:
        raise DescriptorError(f"{path}: not a readable distribution descriptor ({err})") from None
    return Descriptor(data, path)


class Descriptor:
    """Read-only view of one descriptor; `path` only names the file in errors."""

    def __init__(self, data, path="<descriptor>"):
        self.path = str(path)
        if not isinstance(data, dict):
            raise DescriptorError(f"{self.path}: a distribution descriptor is a JSON object")
        if data.get("version") != VERSION:
            raise DescriptorError(
                f"{self.path}: distribution descriptor version {data.get('version')!r}, this rules_pystatic reads "
                f"version {VERSION}. Fix: rebuild the distribution with this rules_pystatic (bazel clean, or "
                "drop stale entries of a shared cache)")
        unknown = sorted(set(data) - set(KEYS))
        if unknown:
            raise DescriptorError(f"{self.path}: unknown descriptor keys {unknown}: every key has a reader here. "
                                  "Fix: add its accessor to distribution/actions/pystatic/common/descriptor.py (KEYS), or drop it")
        self._data = data

    def _get(self, key):
        if key not in self._data:
            raise DescriptorError(f"{self.path}: the distribution descriptor has no '{key}'")
        return self._data[key]

    @property
    def pgo(self):
        """The PGO profile the distribution was built with (a dict), or None."""
        return self._data.get("pgo")

    @property
    def python_version(self):
        return self._get("python_version")

    @property
    def major_minor(self):
        return major_minor(self.python_version)

    @property
    def abiflags(self):
        """"" or "t" (free-threaded): the ABI flags in file names (libpython3.13t.a, lib/python3.13t)."""
        return self._get("abiflags")

    @property
    def ldversion(self):
        """'3.13' or '3.13t': the version in the distribution's file names."""
        return self.major_minor + self.abiflags

    @property
    def target_triple(self):
        return self._get("target_triple")

    @property
    def archives(self):
        """Link archives relative to the distribution, in link order."""
        return list(self._get("link")["archives"])

    @property
    def system_libraries(self):
        return list(self._get("link").get("system_libraries", []))

    @property
    def extensions(self):
        """{module: {"init": function, "builtin": True}} of the built-in extension modules."""
        return dict(self._get("extensions"))

    @property
    def builtin_modules(self):
        return set(self._get("extensions"))

    @property
    def extensions_left_out(self):
        """{module: why configure did not build it}."""
        return dict(self._get("extensions_left_out"))

    @property
    def licenses(self):
        return list(self._get("licenses"))

    @property
    def stdlib_excluded(self):
        """{stdlib entry: why it is not shipped}."""
        return dict(self._get("stdlib_excluded"))

    @property
    def interpreter(self):
        return self._get("interpreter")

    @property
    def stdlib(self):
        return self._get("stdlib")

    @property
    def inittab(self):
        return self._get("inittab")
