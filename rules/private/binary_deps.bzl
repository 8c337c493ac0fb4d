"""What a py_static_binary's deps bring besides Python sources: data, import roots, built-in
extensions and packages built from their sdists (binary.bzl and its steps)."""

load(":providers.bzl", "PyStaticExtensionInfo", "PyStaticSdistInfo")

def py_deps(ctx):
    """The Python sources, data files and import roots of deps (PyInfo + their runfiles).

    Args:
      ctx: the py_static_binary's rule context.

    Returns:
      (sources depset, runfiles list (sources among them), import roots list).
    """
    transitive, runfiles, roots = [], [], []
    for dep in ctx.attr.deps:
        info = dep[PyInfo]
        transitive.append(info.transitive_sources)

        # PyInfo.imports are runfiles paths "<repository>/<dir>"; roots are repository-relative.
        roots.extend([path.partition("/")[2] for path in info.imports.to_list()])
        runfiles.append(dep[DefaultInfo].default_runfiles.files)

    # Data: the runfiles, `.py` files too (a wheel's `.py` file that no import names is a data
    # file: render.py lists it in the wheel's data); the caller drops those that are sources.
    data = [f for f in depset(transitive = runfiles).to_list() if not f.is_directory]
    return depset(transitive = transitive), data, roots

def linked_extensions(ctx):
    """The py_static_extension targets among deps: linked in as built-in modules."""
    return [dep[PyStaticExtensionInfo] for dep in ctx.attr.deps if PyStaticExtensionInfo in dep]

def sdist_builds(ctx):
    """Packages built from their sdists (pystatic.wheels(build_from_source)), deps' deps included."""
    return depset(transitive = [dep[PyStaticSdistInfo].builds for dep in ctx.attr.deps if PyStaticSdistInfo in dep]).to_list()
