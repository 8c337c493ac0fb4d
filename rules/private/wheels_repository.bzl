"""pystatic_wheels_repository: wheels of a lock file as a repository, one target per package.

The work is actions/pystatic/repository/wheel_repo.py, run with the build machine's python3 and its pip, so
pip's own index configuration decides where wheels come from; every wheel is pinned by sha256.
"""

load("@pystatic_distribution//toolchains:python_builds.bzl", "DEFAULT_PYTHON_BUILD", "PYTHON_BUILDS", "abiflags")
load("@pystatic_distribution//toolchains:targets.bzl", "TARGETS", "target_constraints")
load("@pystatic_distribution//toolchains/cpython:repositories.bzl", "SOURCES_JSON")

DEFAULT_PYTHON_VERSION = DEFAULT_PYTHON_BUILD

_WHEEL_REPO_PY = Label("//actions:pystatic/repository/wheel_repo.py")

# The lowest python3 the fetch runs on (third_party/packaging needs 3.9; measured with 3.9 to 3.13:
# the same repository). It never parses the packages' code (modules/import_scan.py reads it as text).

# The sub-packages of actions/pystatic the script imports (tests/actions/test_import_graph.py: ALLOWED["repository"]).
_WHEEL_REPO_LIBRARIES = ["repository", "modules"]
_TARGETS_JSON = "_pystatic_targets.json"
_VENDORED = [Label("//third_party/packaging:LICENSE"), Label("//third_party/tomli:LICENSE")]
_WHEEL_BZL = Label("//rules/private:wheel.bzl")
_SDIST_BZL = Label("//rules/private:sdist.bzl")
_BUILD_LOCK = Label("//actions:pystatic/packages/sdist_build/requirements.txt")
_PYTHON_BUILD_FLAG = Label("@pystatic_distribution//python:version")

def _python_with_pip(rctx):
    candidates = [rctx.os.environ["PYSTATIC_PYTHON"]] if rctx.os.environ.get("PYSTATIC_PYTHON") else []
    candidates += [str(p) for p in [rctx.which("python3"), rctx.which("python")] if p]
    for python in candidates:
        if rctx.execute([python, "-c", "import sys, pip; sys.exit(sys.version_info < (3, 9))"]).return_code == 0:
            return python
    fail(("pystatic.wheels(name = \"{}\"): no python3 >= 3.9 with pip on this machine (tried: {}). The fetch " +
          "runs pip and unpacks archives with the build machine's python3 (the vendored packaging needs 3.9; " +
          "what it decides does not depend on the version: docs/wheels.md, Fetching). Fix: install pip for " +
          "python3 (e.g. apt-get install python3-pip), or set PYSTATIC_PYTHON to a python3 >= 3.9 that has " +
          "it.").format(rctx.attr.name, ", ".join(candidates) or "none on PATH"))

def _pystatic_wheels_repository_impl(rctx):
    python = _python_with_pip(rctx)
    sources = json.decode(rctx.read(rctx.path(SOURCES_JSON)))
    versions = sources["cpython"]
    build = rctx.attr.python_version
    if build not in PYTHON_BUILDS:
        fail("pystatic.wheels(name = \"{}\"): no static CPython build {}; known: {}. Fix: use one of them (distribution/toolchains/python_builds.bzl).".format(
            rctx.attr.name,
            build,
            ", ".join(PYTHON_BUILDS),
        ))
    package = rctx.path(_WHEEL_REPO_PY).dirname.dirname
    pythonpath = [str(package.dirname)] + [str(rctx.path(label).dirname) for label in _VENDORED]

    # The script's libraries: an edit to any of them fetches the repository again, as one to the script does.
    for library in _WHEEL_REPO_LIBRARIES:
        rctx.watch_tree(package.get_child(library))

    # The target facts the script needs, from their only home (TARGETS): a list, since json.encode
    # sorts a dict's keys and the table's order is the order of the generated select() branches.
    # Only the targets with a static CPython of this Python build: wheels are for a runtime (the
    # configure/make rows have every build; Windows' PCbuild row has 3.13, not 3.13t).
    rctx.file(_TARGETS_JSON, json.encode([
        {
            "constraints": [str(label) for label in target_constraints(triple)],
            "cpu": target.cpu,
            "os": target.os,
            "platform": target.platform,
            "platform_machine": target.platform_machine,
            "triple": triple,
            "wheel_platforms": target.wheel_platforms,
        }
        for triple, target in TARGETS.items()
        if target.cpython or build in target.pcbuild_python_builds
    ]), executable = False)
    args = [
        python,
        "-B",
        "-m",
        "pystatic.repository.wheel_repo",
        "--lock",
        rctx.path(rctx.attr.lock),
        "--lock_label",
        str(rctx.attr.lock),
        "--repo_dir",
        rctx.path("."),
        "--targets",
        rctx.path(_TARGETS_JSON),
        "--python_version",
        versions[PYTHON_BUILDS[build].source]["version"],
        "--abiflags",
        abiflags(build),
        "--python_build",
        build,
        "--python_flag",
        str(_PYTHON_BUILD_FLAG),
        "--rules_bzl",
        str(_WHEEL_BZL),
        "--sdist_bzl",
        str(_SDIST_BZL),
        "--build_lock",
        rctx.path(_BUILD_LOCK),
    ]
    for name in rctx.attr.exclude:
        args.extend(["--exclude", name])
    for name in rctx.attr.sdists:
        args.extend(["--sdist", name])
    for module in rctx.attr.built_in:
        args.extend(["--built_in", module])
    for name in rctx.attr.build_from_source:
        args.extend(["--build_from_source", name])
    if rctx.attr.build_requirements:
        args.extend(["--build_requirements", rctx.path(rctx.attr.build_requirements), "--build_requirements_label", str(rctx.attr.build_requirements)])

    # Native libraries (sources.json `native`): each row names the packages that link it, and the
    # environment that makes their build require it.
    for lib, entry in sorted(sources.get("native", {}).items()):
        for package, env in sorted(entry["packages"].items()):
            args.extend(["--native_library", package, str(Label("//native_libraries:" + lib))])
            for key, value in sorted(env.items()):
                args.extend(["--native_env", package, "{}={}".format(key, value)])
    if not rctx.attr.auto_build_from_source:
        args.append("--no_auto_build")
    rctx.report_progress("fetching and unpacking the wheels of {}".format(rctx.attr.lock))
    result = rctx.execute(args, environment = {"PYTHONPATH": ":".join(pythonpath)}, timeout = 1800, quiet = True)
    rctx.delete(_TARGETS_JSON)  # an input of the script, not part of the repository
    if result.return_code != 0:
        fail("pystatic.wheels(name = \"{}\"): {}".format(rctx.attr.name, (result.stderr or result.stdout).strip()))

pystatic_wheels_repository = repository_rule(
    implementation = _pystatic_wheels_repository_impl,
    doc = "The wheels of a pylock.toml or hashed requirements.txt, one target per package (docs/wheels.md).",
    attrs = {
        "auto_build_from_source": attr.bool(default = False, doc = "Build a package from its locked sdist when its wheel's extension is needed, instead of loading the wheel's shared objects."),
        "build_from_source": attr.string_list(doc = "Packages (or \"*\") built from their sdists by their own PEP 517 backend."),
        "build_requirements": attr.label(
            allow_single_file = True,
            doc = "A hashed requirements.txt of PEP 517 build requirements the ruleset's build lock lacks, added to the build environment (its pins replace the lock's).",
        ),
        "built_in": attr.string_list(doc = "Extension modules (`pkg._ext`) the binaries link in as built-ins with py_static_extension."),
        "exclude": attr.string_list(doc = "Packages of the lock to leave out (and drop from dependency edges)."),
        "lock": attr.label(mandatory = True, allow_single_file = True, doc = "pylock.toml, or requirements.txt with --hash."),
        "python_version": attr.string(
            default = DEFAULT_PYTHON_VERSION,
            doc = "The Python build the wheels are for: one of distribution/toolchains/python_builds.bzl, e.g. 3.13 or 3.13t (cp313t wheels).",
        ),
        "sdists": attr.string_list(doc = "Packages whose sdist is fetched too (`@<repo>//<package>:sdist/...`), and built for Windows where no pure wheel fits."),
    },
    # Not PYSTATIC_WHEEL_CACHE (the download cache, actions/pystatic/repository/wheels/cache.py): the
    # repository is the same with or without it, so moving it fetches nothing again.
    environ = ["PYSTATIC_PYTHON"],
)
