"""Module extension `cpython`: the pinned CPython sources of the static distribution."""

load("//toolchains:python_builds.bzl", "PYTHON_BUILDS")
load(":repositories.bzl", "SOURCES_JSON", "cpython_versions", "pinned_source")

def source_repo_name(python_version):
    """Repository that holds the source archive of `python_version` (major.minor)."""
    return "pystatic_cpython_src_" + python_version.replace(".", "_")

def _cpython_impl(mctx):
    known = json.decode(mctx.read(mctx.path(SOURCES_JSON)))["cpython"]

    # The sources of every Python build (distribution/toolchains/python_builds.bzl), and any a module asks for.
    wanted = {build.source: True for build in PYTHON_BUILDS.values()}
    for mod in mctx.modules:
        for tag in mod.tags.source:
            if tag.python_version not in known:
                fail("rules_pystatic: unknown Python version '{}' in cpython.source() of module {}; known: {}. ".format(
                    tag.python_version,
                    mod.name,
                    ", ".join(sorted(known)),
                ) + "Fix: use one of them, or pin its source in distribution/toolchains/cpython/sources.json.")
            wanted[tag.python_version] = True
    for version in sorted(wanted):
        pinned_source(name = source_repo_name(version), group = "cpython", key = version)
    sources = json.decode(mctx.read(mctx.path(SOURCES_JSON)))
    for dep in sorted(sources["deps"]):
        pinned_source(name = "pystatic_dep_" + dep, group = "deps", key = dep)
    for lib in sorted(sources.get("native", {})):
        pinned_source(name = "pystatic_native_" + lib, group = "native", key = lib)
    for lib in sorted(sources.get("extra_builtins", {})):
        pinned_source(name = "pystatic_extra_" + lib, group = "extra_builtins", key = lib)
    cpython_versions(name = "pystatic_cpython_versions")
    return mctx.extension_metadata(reproducible = True)

cpython = module_extension(
    implementation = _cpython_impl,
    doc = "Declares the pinned CPython source archives (distribution/toolchains/cpython/sources.json).",
    tag_classes = {
        "source": tag_class(
            attrs = {"python_version": attr.string(mandatory = True, doc = "major.minor, e.g. 3.13")},
            doc = "Also fetch this Python version's sources.",
        ),
    },
)
