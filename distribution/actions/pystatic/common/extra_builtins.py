"""The extra built-ins' JSON: built-in modules compiled beside a CPython distribution (build_extra_builtins.py).

`_curses`, `_curses_panel` and `readline` are not built by CPython's configure/make (its descriptor
lists them in `extensions_left_out`); build_extra_builtins.py compiles them afterwards, so the
CPython build keeps its action key. This file says what that action added: each module's init
function and the libraries it links, the archives (relative to the action's output directory, in
link order) and the licences. Readers (the runtime toolchain's merge, the pack and glue steps, the
licence report, the SBOM, the wheel check) combine it with the descriptor through `combined`:
the distribution as a binary sees it.
"""

import json
import os

from pystatic.common import descriptor as distribution_descriptor

VERSION = 1
KEYS = ("version", "modules", "archives", "licenses")


class ExtraBuiltinsError(Exception):
    pass


def new(*, modules, archives, licenses):
    """modules: {name: {"init", "libraries", "defines", "left_out_by_cpython"}}."""
    return {"version": VERSION, "modules": dict(sorted(modules.items())), "archives": list(archives),
            "licenses": list(licenses)}


def dump(data, path):
    load_data(data, path)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)
        out.write("\n")


def load_data(data, path="<extra builtins>"):
    if not isinstance(data, dict) or data.get("version") != VERSION or sorted(data) != sorted(KEYS):
        raise ExtraBuiltinsError(f"{path}: not an extra built-ins file of version {VERSION} with keys {list(KEYS)}. "
                                 "Fix: rebuild the distribution's extra built-ins with this rules_pystatic")
    for name, module in data["modules"].items():
        if not module.get("init", "").startswith("PyInit_"):
            raise ExtraBuiltinsError(f"{path}: module {name} has no PyInit_ function")
    return data


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as err:
        raise ExtraBuiltinsError(f"{path}: not a readable extra built-ins file ({err})") from None
    return load_data(data, path)


def combined(descriptor_path, extra_path=None, extra_dir=None):
    """The distribution's Descriptor with the extra built-ins added (none without `extra_path`).

    Their modules join `extensions` (and leave `extensions_left_out`), their licences join
    `licenses` with `file` made absolute (below `extra_dir`), their archives join `link.archives`
    after the distribution's own, also absolute. Everything else is the descriptor's.
    """
    descriptor = distribution_descriptor.load(descriptor_path)
    if not extra_path:
        return descriptor
    extra = load(extra_path)
    base = os.path.abspath(extra_dir or os.path.dirname(extra_path))
    data = dict(descriptor._data)
    clash = sorted(set(extra["modules"]) & set(data.get("extensions", {})))
    if clash:
        raise ExtraBuiltinsError(f"{extra_path}: {', '.join(clash)} are built in by CPython already "
                                 f"({descriptor_path}). Fix: rebuild the extra built-ins for this distribution")
    data["extensions"] = {**data.get("extensions", {}),
                          **{name: {"init": m["init"], "builtin": True} for name, m in extra["modules"].items()}}
    data["extensions_left_out"] = {k: v for k, v in data.get("extensions_left_out", {}).items() if k not in extra["modules"]}
    data["licenses"] = list(data.get("licenses", [])) + [
        {**entry, "file": os.path.join(base, entry["file"])} for entry in extra["licenses"]]
    link = data.get("link", {})
    data["link"] = {**link, "archives": list(link.get("archives", [])) + [os.path.join(base, a) for a in extra["archives"]]}
    return distribution_descriptor.Descriptor(data, descriptor_path)


def extra_inittab(extra_path):
    """[(module, init function)] of the extra built-ins."""
    if not extra_path:
        return []
    return [(name, m["init"]) for name, m in sorted(load(extra_path)["modules"].items())]
