"""Facts about Python modules in files, shared by every phase (a library: no scripts here).

Native-module suffixes, dotted names from paths, absolute import names: the fetch phase (which
wheels' native files matter), the package actions (sdist builds, the wheel check) and the binary
phase use these one definition each.
"""
