"""The libraries of build_sdist.py (action PyStaticSdist), one module per concept.

A sub-package, not modules beside the script: the script's directory is first on sys.path when
it runs, where names like `meson` or `cmake` could shadow what a backend imports.
"""
