"""The DT_NEEDED closure of each embedded shared object and the names it needs from the executable.

A needed library is, in this order: the C library's (system_names.LIBC_NAMES, served by the
executable's libc); an embedded file found through the object's DT_RUNPATH (or DT_RPATH), where
`$ORIGIN` is the object's directory in the embedded tree (auditwheel's `$ORIGIN/../<pkg>.libs`);
an embedded file whose DT_SONAME or file name is the needed name (the same package's first); or a
library the executable provides (`--provided_library libz.so.1`). Anything else is an error; a
system C++ runtime's name (libstdc++.so.6, libgcc_s.so.1: a wheel not repaired by auditwheel) is
one error for the object, with the runtime names it leaves undefined.

An object's undefined symbols (strong and weak) that no object of its closure (itself and every
embedded object reachable through DT_NEEDED, cycles included) defines must come from the
executable, except the C++ runtime's and the unwinder's (system_names.is_cxx_runtime_name): a strong
one is an error (the wheel must bundle its runtime; one per object, naming a few), a weak one stays
unresolved (NULL), as is a thread-local variable (the executable exports no TLS).
"""

import dataclasses
import posixpath

from pystatic.binary.native_objects import system_names
from pystatic.binary.native_objects.problems import Problem

LIBC = "libc"
PROVIDED = "provided"


@dataclasses.dataclass
class ObjectNeeds:
    """What one embedded object needs: its libraries ([(name, how)]: how is an embedded tree path,
    "libc" or "provided"), its closure (tree paths) and the names the executable must serve."""

    obj: object  # problems.EmbeddedObject
    libraries: list = dataclasses.field(default_factory=list)
    closure: list = dataclasses.field(default_factory=list)
    strong: list = dataclasses.field(default_factory=list)
    weak: list = dataclasses.field(default_factory=list)
    unresolved_weak: list = dataclasses.field(default_factory=list)


def _expand(entry, directory):
    """A search path entry as a directory of the embedded tree, or None (a system directory or a
    token other than $ORIGIN: nothing embedded is there)."""
    expanded = entry.replace("${ORIGIN}", "$ORIGIN")
    if not expanded.startswith("$ORIGIN") or "$" in expanded[len("$ORIGIN"):]:
        return None
    rest = expanded[len("$ORIGIN"):]
    if rest and not rest.startswith("/"):
        return None  # "$ORIGINAL"
    joined = posixpath.normpath(posixpath.join(directory or ".", "." + rest))
    if joined == ".." or joined.startswith("../"):
        return None
    return "" if joined == "." else joined


class EmbeddedTree:
    """The readable embedded shared objects: {tree path: (EmbeddedObject, SharedObject)}."""

    def __init__(self, objects, provided_libraries):
        self.objects = objects
        self.provided = set(provided_libraries)
        self._by_name = {}
        for tree_path in sorted(objects):
            _, shared = objects[tree_path]
            for name in {posixpath.basename(tree_path), shared.soname} - {None}:
                self._by_name.setdefault(name, []).append(tree_path)
        self._resolved = {}

    def resolve(self, tree_path, needed):
        """How the object at `tree_path` finds the library `needed`: an embedded tree path, LIBC,
        PROVIDED, or None."""
        key = (tree_path, needed)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(tree_path, needed)
        return self._resolved[key]

    def _resolve(self, tree_path, needed):
        if "/" in needed:
            return None  # a path, relative to the process's directory: nothing embedded
        if system_names.is_libc_name(needed):
            return LIBC
        obj, shared = self.objects[tree_path]
        for entry in shared.search_path():
            directory = _expand(entry, posixpath.dirname(tree_path))
            if directory is not None:
                candidate = posixpath.join(directory, needed) if directory else needed
                if candidate in self.objects:
                    return candidate
        candidates = self._by_name.get(needed, [])
        same_package = [c for c in candidates if self.objects[c][0].package == obj.package]
        if same_package or candidates:
            return (same_package or candidates)[0]
        if needed in self.provided:
            return PROVIDED
        return None

    def closure(self, tree_path):
        """Tree paths of the object and every embedded object reachable through DT_NEEDED, in
        breadth-first order (cycles are fine); needed names that do not resolve are skipped."""
        order, seen = [tree_path], {tree_path}
        for current in order:
            for needed in self.objects[current][1].needed:
                found = self.resolve(current, needed)
                if found in self.objects and found not in seen:
                    seen.add(found)
                    order.append(found)
        return order

    def needs(self, tree_path):
        """(ObjectNeeds, [Problem]) of the object at `tree_path`: one problem per missing library,
        per missing thread-local variable, and one for all the C++ runtime names it lacks (those
        follow from a missing runtime library, when that is the cause, and are not listed again)."""
        obj, shared = self.objects[tree_path]
        result, problems, system_runtime = ObjectNeeds(obj), [], []
        for needed in shared.needed:
            found = self.resolve(tree_path, needed)
            if found is None and system_names.is_cxx_runtime_library(needed):
                system_runtime.append(needed)
            elif found is None:
                problems.append(Problem(obj, self._unknown_library(needed, shared)))
            else:
                result.libraries.append((needed, found))
        result.closure = self.closure(tree_path)
        defined = set().union(*(self.objects[p][1].defined for p in result.closure))
        runtime_names = []
        for symbol in shared.undefined:
            if symbol.name in defined:
                continue
            runtime_name = system_names.is_cxx_runtime_name(symbol.name)
            if (runtime_name or symbol.tls) and symbol.weak:
                result.unresolved_weak.append(symbol.name)
            elif runtime_name:
                runtime_names.append(symbol.name)  # a thread-local one too (libstdc++'s __once_call)
            elif symbol.tls:
                problems.append(Problem(obj, f"needs the thread-local variable {symbol.name}, which no library of its closure "
                                             f"defines: the executable exports no thread-local variables"))
            elif symbol.weak:
                result.weak.append(symbol.name)
            else:
                result.strong.append(symbol.name)
        if system_runtime:
            problems.append(Problem(obj, _system_runtime(system_runtime, runtime_names)))
        elif runtime_names:
            problems.append(Problem(obj, f"needs {_some(runtime_names)} of the C++ runtime or unwinder, which no library "
                                         f"of its closure ({', '.join(result.closure)}) defines: the wheel must bundle its "
                                         f"C++ runtime (libstdc++, libgcc_s), the executable's is never exported"))
        return result, problems

    def _unknown_library(self, needed, shared):
        where = f" (search path {':'.join(shared.search_path())})" if shared.search_path() else ""
        provided = ", ".join(sorted(self.provided)) or "none"
        return (f"needs the library {needed} (DT_NEEDED){where}, which is not embedded, not the C library's and not one "
                f"the executable provides ({provided})")


def _some(names, shown=3):
    """`names` for a message: the first few, and how many more."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{len(names)} name{'s' if len(names) > 1 else ''} ({', '.join(names[:shown])}{more})"


def _system_runtime(libraries, runtime_names):
    lacking = f", so {_some(runtime_names)} it uses are undefined" if runtime_names else ""
    return (f"needs the system's C++ runtime ({', '.join(libraries)}, DT_NEEDED){lacking}: the wheel does not bundle "
            f"it, as a musllinux wheel repaired by auditwheel does (<package>.libs/libstdc++-<hash>.so.6), and the "
            f"executable's C++ runtime (LLVM's, another ABI) is never exported")
