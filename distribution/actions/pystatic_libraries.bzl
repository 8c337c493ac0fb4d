"""pystatic_libraries: one py_library per module of the action package, deps exactly its imports.

The tables come from dev/tool-libraries (libraries.bzl beside each BUILD file). An action's
inputs are then its script's own closure: editing sbom.py does not re-key the C libraries,
CPython or the standard library (tests/integration/test_action_inputs.py).
"""

def _file(module):
    return "pystatic/{}.py".format(module.replace(".", "/"))

def _package_inits(module):
    """The __init__.py of each package above a module: the sub-packages are regular packages."""
    packages = module.split(".")[:-1]
    return ["pystatic/{}/__init__.py".format("/".join(packages[:i + 1])) for i in range(len(packages))]

# buildifier: disable=unnamed-macro
def pystatic_libraries(modules, other_part = None):
    """Declares a py_library per module, named by its dotted name without "pystatic." (binary.sbom).

    Args:
      modules: {module: [imported modules or third-party labels]} (a generated libraries.bzl).
      other_part: label prefix of the package part in the other Bazel module (imports this part
        does not have), e.g. "@pystatic_distribution//actions:"; None for a part that needs none.
    """
    for module, imports in modules.items():
        deps = []
        for imported in imports:
            if imported.startswith("//") or imported.startswith("@"):
                deps.append(imported)
            elif imported in modules:
                deps.append(":" + imported)
            elif other_part:
                deps.append(other_part + imported)
            else:
                fail("{} imports {}, which is not in this part of the pystatic package".format(module, imported))

        # buildifier: disable=native-py
        native.py_library(
            name = module,
            srcs = [_file(module)] + _package_inits(module),
            imports = ["."],
            deps = deps,
        )

def pystatic_script(name, module):
    """A py_binary that runs one module of the package; its runfiles are that module's closure.

    Args:
      name: the binary's name (an action's executable, //actions:<name>).
      module: the module it runs, a key of the part's libraries.bzl.
    """

    # buildifier: disable=native-py
    native.py_binary(
        name = name,
        srcs = [_file(module)],
        # No generated __init__.py: `pystatic` is a namespace package over both tool roots.
        legacy_create_init = 0,
        main = _file(module),
        deps = [":" + module],
    )
