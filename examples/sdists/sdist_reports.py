"""What PyYAML (with libyaml), frozenlist (C++) and cffi (with the distribution's libffi) see, built
from their sdists: shared by examples/sdists and the aarch64 cross build of each backend (tests/sdists)."""

import sys

import _cffi_backend
import cffi
import frozenlist
import yaml


def yaml_report():
    document = {"static": True, "items": [1, 2.5, "three"], "nested": {"a": None}}
    text = yaml.dump(document, Dumper=yaml.CDumper)
    return {
        "with_libyaml": yaml.__with_libyaml__,
        "roundtrip": yaml.load(text, Loader=yaml.CLoader) == document,
        "loader": yaml.CLoader.__mro__[1].__module__,  # libyaml's CParser, from the built-in yaml._yaml
        "libyaml": yaml._yaml.get_version_string(),
    }


def frozenlist_report():
    items = frozenlist.FrozenList([1, 2])
    items.append(3)
    items.freeze()
    try:
        items.append(4)
        frozen = False
    except RuntimeError:
        frozen = True
    return {
        "class": type(items).__module__,  # the C++ extension's FrozenList, not the Python one
        "origin": sys.modules["frozenlist._frozenlist"].__spec__.origin,
        "items": list(items),
        "frozen": frozen,
    }


def cffi_report():
    ffi = cffi.FFI()
    ffi.cdef("typedef struct { int x; double y; } point_t;")
    point = ffi.new("point_t *", {"x": 3, "y": 0.5})
    numbers = ffi.new("int[]", [1, 2, 3, 4])

    # A libffi closure (ffi_prep_closure_loc) called through ffi_call: both halves of libffi.
    @ffi.callback("int(int, int)")
    def add(a, b):
        return a + b

    # ABI mode: dlopen(None) is the runtime's dlopen (runtime/native_dl_api.c), whose handle of the
    # executable answers dlsym from its export table (the names embedded shared objects need).
    ffi.cdef("size_t strlen(const char *);")
    try:
        libc = ffi.dlopen(None)
    except OSError as err:
        dlopen = {"opened": False, "error": str(err)}
    else:
        try:
            dlopen = {"opened": True, "strlen": libc.strlen(b"static")}
        except AttributeError as err:
            dlopen = {"opened": True, "error": str(err)}
    return {
        "backend": _cffi_backend.__spec__.origin,
        "version": cffi.__version__ == _cffi_backend.__version__,
        "point": [point.x, point.y, ffi.sizeof("point_t")],
        "sum": sum(numbers),
        "callback": add(2, 40),
        "cast_callback": ffi.cast("int(*)(int, int)", add)(1, 1),
        "dlopen": dlopen,
    }
