"""Module extensions of rules_pystatic for users: `pystatic.wheels`.

    pystatic = use_extension("@rules_pystatic//rules:extensions.bzl", "pystatic")
    pystatic.wheels(name = "pypi", lock = "//:pylock.toml")
    use_repo(pystatic, "pypi")

then `deps = ["@pypi//click"]` in py_static_binary. See docs/wheels.md.
"""

load("//rules/private:wheels_repository.bzl", "DEFAULT_PYTHON_VERSION", "pystatic_wheels_repository")

def _pystatic_impl(mctx):
    seen = {}
    for mod in mctx.modules:
        for tag in mod.tags.wheels:
            if tag.name in seen:
                fail("pystatic.wheels: two repositories named '{}' (modules {} and {}). Fix: rename one.".format(
                    tag.name,
                    seen[tag.name],
                    mod.name,
                ))
            seen[tag.name] = mod.name
            pystatic_wheels_repository(
                name = tag.name,
                lock = tag.lock,
                exclude = tag.exclude,
                python_version = tag.python_version,
                sdists = tag.sdists,
                built_in = tag.built_in,
                build_from_source = tag.build_from_source,
                build_requirements = tag.build_requirements,
                auto_build_from_source = tag.auto_build_from_source,
            )

    # Every wheel is pinned by sha256 in the lock: the result depends on the lock alone.
    return mctx.extension_metadata(reproducible = True)

pystatic = module_extension(
    implementation = _pystatic_impl,
    doc = "Repositories of third-party wheels for py_static_binary (docs/wheels.md).",
    tag_classes = {
        "wheels": tag_class(
            attrs = {
                "auto_build_from_source": attr.bool(
                    default = False,
                    doc = "Build a package from its locked sdist when its wheel's extension is needed, instead of loading the wheel's " +
                          "shared objects from memory (the default, docs/native-wheels.md; docs/extensions.md).",
                ),
                "build_from_source": attr.string_list(doc = "Packages (or \"*\") built from their sdists as built-ins (docs/extensions.md)."),
                "build_requirements": attr.label(
                    doc = "A hashed requirements.txt of the PEP 517 build requirements (plugins, backends) that the ruleset's build lock " +
                          "lacks, added to the environment the sdists of this repository build in; its pins replace the lock's (docs/extensions.md).",
                ),
                "built_in": attr.string_list(doc = "Extension modules (`pkg._ext`) linked in as built-ins with py_static_extension."),
                "exclude": attr.string_list(doc = "Packages of the lock to leave out."),
                "lock": attr.label(mandatory = True, doc = "PEP 751 pylock.toml, or a requirements.txt with --hash."),
                "name": attr.string(mandatory = True, doc = "Name of the repository (`@<name>//<package>`)."),
                "python_version": attr.string(default = DEFAULT_PYTHON_VERSION, doc = "The Python build the wheels are for (distribution/toolchains/python_builds.bzl): 3.13, or 3.13t for cp313t wheels."),
                "sdists": attr.string_list(doc = "Packages whose sdist is fetched too: for py_static_extension, and built for Windows where no pure wheel fits (docs/windows.md)."),
            },
            doc = "A repository with one target per package of `lock`, for linux musl x86_64 and aarch64.",
        ),
    },
)
