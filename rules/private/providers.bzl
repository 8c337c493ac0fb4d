"""Providers shared by rules_pystatic's rules."""

PyStaticResourcesInfo = provider(
    doc = "First-party Python resources of a target, named for import.",
    fields = {
        "manifest": "File: JSON manifest (actions/pystatic/binary/resource_manifest.py) mapping names to files.",
        "files": "depset of File: every file the manifest refers to.",
    },
)

PyStaticExtensionInfo = provider(
    doc = "A C extension module compiled for linking into a py_static_binary as a built-in.",
    fields = {
        "module": "str: full module name, e.g. markupsafe._speedups.",
        "init_function": "str: the renamed PyInit_ function to put in the inittab.",
        "linking_context": "LinkingContext: the extension's objects (and its C dependencies).",
    },
)

PyStaticSdistInfo = provider(
    doc = "Packages built from their sdists (pystatic_sdist_package), this target's and its dependencies'.",
    fields = {
        "builds": "depset of struct(package, archive: File (static), builtins: File (JSON [[module, init " +
                  "function]])): each links in as built-ins of py_static_binary.",
    },
)

PyStaticWheelCheckInfo = provider(
    doc = "What the wheel checks (PyStaticWheel) of this target and its dependencies left out of binaries.",
    fields = {
        "left_out": "depset of File: JSON {target, package, left_out: {module: the native file it needs}}; " +
                    "the pack step fails a binary whose code imports one of these modules; `loaded`: the " +
                    "shared objects it embeds.",
        "natives": "depset of struct(package: 'name@version', path: below the import root, file: File): every " +
                   "shared object of the wheels; those a check's `loaded` names are embedded (docs/native-wheels.md).",
    },
)
