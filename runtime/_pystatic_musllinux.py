"""The truthful answer to "which musl is this" for packaging (and its vendored copies: pip's,
setuptools'), so that pip and packaging.tags see the musllinux tags this executable loads.

packaging reads the C library's version from the program interpreter (PT_INTERP) of
sys.executable, which a static executable has none of, and so lists no musllinux tag.
_pystatic_bootstrap's MuslVersionFinder, on sys.meta_path before the others, finds nothing itself:
for a module named `[<prefix>.]packaging._musllinux` (only then is this module imported) it asks the
finders after it (find_spec here) and wraps the loader they give, so that once the module has run,
its `_get_musl_version(sys.executable)` is the version of the musl linked into this executable
(musl's own `__libc_version`, `_pystatic.libc_version`). Other executables keep packaging's own
answer. See docs/py_static_binary.md, py_static_interpreter.
"""

import _pystatic
import sys


def find_spec(finder, fullname, path, target):
    """The spec the finders after `finder` give for `fullname`, its loader wrapped; or None."""
    for other in sys.meta_path:
        find = getattr(other, "find_spec", None)
        spec = find(fullname, path, target) if other is not finder and find else None
        if spec is not None:
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _musllinux_loader(spec.loader)
            return spec
    return None


def _musllinux_loader(loader):
    """`loader` of a packaging._musllinux module, which then answers for this executable."""

    class MusllinuxLoader:
        def __getattr__(self, name):
            return getattr(loader, name)

        def create_module(self, spec):
            return loader.create_module(spec)

        def exec_module(self, module):
            loader.exec_module(module)
            original, musl_version = getattr(module, "_get_musl_version", None), getattr(module, "_MuslVersion", None)
            parts = _pystatic.libc_version.split(".")
            if original is None or musl_version is None or len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
                return
            ours = musl_version(int(parts[0]), int(parts[1]))

            def _get_musl_version(executable):
                """This executable's musl (linked in, no loader to ask); packaging's answer for others."""
                return ours if executable == sys.executable else original(executable)

            _get_musl_version.cache_clear = getattr(original, "cache_clear", lambda: None)
            module._get_musl_version = _get_musl_version

    return MusllinuxLoader()
