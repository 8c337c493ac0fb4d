"""The settings of one py_static_binary: `<name>.settings.json`, written by rules/private/binary.bzl
from the rule's attributes, read by pack_blob.py and gen_glue.py.

One spelling for every setting: the JSON keys are the field names below, and the defaults are the
rule's. Files (blobs, descriptor, outputs) are not settings: they stay command-line arguments.
"""

import dataclasses
import json
from dataclasses import dataclass

STDLIB_MODES = ("all", "imported")
ZSTD_PAYLOADS = ("bytecode", "cold_bytecode", "source", "data")  # format.blob.PAYLOAD_CLASSES


class SettingsError(ValueError):
    """A settings file that does not match BinarySettings (an unknown key, a value of the wrong type)."""


@dataclass(frozen=True)
class EntryPoint:
    """What the binary runs, as the rule resolved it: `module` (and `function`, or run as __main__),
    a `main` file of srcs, or a `console_script` of an embedded wheel; all empty for an interpreter."""

    module: str = ""
    function: str = ""
    main: str = ""  # path of the file as the app's imports file names it
    console_script: str = ""


@dataclass(frozen=True)
class ResolvedEntryPoint:
    """The entry point pack_blob.py found (main file and console script resolved to their module)."""

    module: str
    function: str = ""


@dataclass(frozen=True)
class BinarySettings:
    target: str = ""  # the binary's label, for messages
    entry_point: EntryPoint = EntryPoint()
    interpreter: bool = False  # py_static_interpreter: a python3 command line, no entry point
    # The pack step (pack_blob.py).
    stdlib_mode: str = "imported"
    stdlib_include: tuple[str, ...] = ()
    stdlib_exclude: tuple[str, ...] = ()
    include_sources: bool = True
    stdlib_sources: bool = True
    zstd_level: int | None = None  # None: nothing compressed
    # What zstd may compress (format.blob.PAYLOAD_CLASSES: "bytecode", "cold_bytecode" (of the modules
    # start-up does not import: cold_modules.py), "source", "data"), each payload
    # only when that pays (format.blob.write_blob).
    zstd_payloads: tuple[str, ...] = ()
    extract_packages: tuple[str, ...] = ()
    file_view: bool = True
    native_debug_info: bool = False  # keep the wheels' shared objects' .debug_* sections (elf_debug_sections.py)
    # The glue (gen_glue.py).
    allocator: str = "mimalloc"
    optimize: int = 0
    utf8_mode: bool = True
    use_environment: bool = False
    buffered_stdio: bool = True
    frozen_bootstrap_only: bool = True
    zstd_linked: bool = False  # resources may be zstd-compressed: the glue calls libzstd
    extensions: tuple[tuple[str, str], ...] = ()  # (module, init function) of py_static_extension deps

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f), str(path))

    @classmethod
    def from_dict(cls, data, where="settings"):
        values = _fields(cls, data, where)
        values["entry_point"] = EntryPoint(**_fields(EntryPoint, values.get("entry_point", {}), f"{where}: entry_point"))
        settings = cls(**values)
        unknown = sorted(set(settings.zstd_payloads) - set(ZSTD_PAYLOADS))
        if unknown:
            raise SettingsError(f"{where}: zstd_payloads {', '.join(unknown)} not among {', '.join(ZSTD_PAYLOADS)}")
        if settings.stdlib_mode not in STDLIB_MODES:
            raise SettingsError(f"{where}: stdlib_mode {settings.stdlib_mode!r} is not one of {', '.join(STDLIB_MODES)}")
        return settings


def _fields(cls, data, where):
    """`data`'s values checked against the defaults' types of dataclass `cls`; lists become tuples."""
    if not isinstance(data, dict):
        raise SettingsError(f"{where}: expected a JSON object, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise SettingsError(f"{where}: unknown setting {', '.join(unknown)} (known: {', '.join(fields)})")
    values = {}
    for name, value in data.items():
        values[name] = _checked(name, value, fields[name].default, where)
    return values


def _checked(name, value, default, where):
    def wrong(expected):
        return SettingsError(f"{where}: {name} must be {expected}, got {value!r}")

    if name == "zstd_level":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise wrong("an integer or null")
        return value
    if name == "extensions":
        if not isinstance(value, list) or not all(
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair) for pair in value):
            raise wrong("a list of [module, init function] pairs")
        return tuple(tuple(pair) for pair in value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise wrong("a list of strings")
        return tuple(value)
    if isinstance(default, EntryPoint):
        return value  # checked field by field
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if not isinstance(value, type(default)) or isinstance(value, bool) != isinstance(default, bool):
        raise wrong(f"a {type(default).__name__}")
    return value
