"""Whether a module calls into the C library by name through ctypes (a static executable links only
the libc functions something references, so such a call needs its libc exported whole).

    ctypes.CDLL(ctypes.util.find_library("c")).wcwidth   (ansible's display)
    ctypes.CDLL("libc.so.6", use_errno=True).prctl
    ctypes.CDLL(None).malloc_trim                         (the process's own symbols)
"""

import ast

# Loaders whose first argument names the library; find_library's names it without "lib".
_LOADERS = {"CDLL", "PyDLL", "LoadLibrary"}


def _called_name(call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _is_libc(node, loader):
    if not isinstance(node, ast.Constant):
        return False
    if node.value is None:
        return loader  # CDLL(None): the executable itself
    return isinstance(node.value, str) and (node.value == "c" if not loader else node.value.startswith("libc."))


def loads_libc_by_name(tree):
    """True if the module's AST has find_library("c"), CDLL/PyDLL/LoadLibrary of "libc.*" or of None."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = _called_name(node)
            if name == "find_library" and _is_libc(node.args[0], loader=False):
                return True
            if name in _LOADERS and _is_libc(node.args[0], loader=True):
                return True
    return False
