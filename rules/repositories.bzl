"""Dependencies of rules_pystatic for legacy WORKSPACE mode (bzlmod users need nothing)."""

load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")
load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load("@pystatic_distribution//toolchains:exec_platforms.bzl", "EXEC_PLATFORMS")
load("@pystatic_distribution//toolchains:exec_tools.bzl", "exec_tools")
load("@pystatic_distribution//toolchains:python_builds.bzl", "PYTHON_BUILDS")
load("@pystatic_distribution//toolchains/bolt:repositories.bzl", "llvm_bolt_repository")
load("@pystatic_distribution//toolchains/cpython:repositories.bzl", "cpython_versions", "pinned_source")
load("@pystatic_distribution//toolchains/zig:repositories.bzl", "zig_sdk")
load("//rules/private:wheels_repository.bzl", "DEFAULT_PYTHON_VERSION", "pystatic_wheels_repository")
load("//toolchains/msvc:repositories.bzl", "msvc_configure")

def rules_pystatic_dependencies():
    """Declares the repositories rules_pystatic needs, unless the WORKSPACE already has them."""
    maybe(
        http_archive,
        name = "bazel_skylib",
        sha256 = "bc283cdfcd526a52c3201279cda4bc298652efa898b10b4db0837dc51652756f",
        urls = ["https://github.com/bazelbuild/bazel-skylib/releases/download/1.7.1/bazel-skylib-1.7.1.tar.gz"],
    )
    maybe(
        http_archive,
        name = "platforms",
        sha256 = "218efe8ee736d26a3572663b374a253c012b716d8af0c07e842e82f238a0a7ee",
        urls = ["https://github.com/bazelbuild/platforms/releases/download/0.0.10/platforms-0.0.10.tar.gz"],
    )

# buildifier: disable=unnamed-macro
def rules_pystatic_register_toolchains():
    """Creates the zig and MSVC toolchain repositories and registers the C toolchains.

    The WORKSPACE counterpart of the `zig` and `msvc` module extensions plus
    `register_toolchains("//toolchains:all")` in MODULE.bazel.
    """
    maybe(zig_sdk, name = "pystatic_zig")
    maybe(exec_tools, name = "pystatic_exec_tools")
    maybe(msvc_configure, name = "pystatic_msvc")
    for source in sorted({build.source: True for build in PYTHON_BUILDS.values()}):
        maybe(pinned_source, name = "pystatic_cpython_src_" + source.replace(".", "_"), group = "cpython", key = source)
    for dep in ["bzip2", "libffi", "libuuid", "openssl", "sqlite3", "xz", "zlib", "zstd"]:
        maybe(pinned_source, name = "pystatic_dep_" + dep, group = "deps", key = dep)
    for lib in ["libyaml"]:
        maybe(pinned_source, name = "pystatic_native_" + lib, group = "native", key = lib)
    for lib in ["libedit", "ncurses"]:
        maybe(pinned_source, name = "pystatic_extra_" + lib, group = "extra_builtins", key = lib)
    maybe(cpython_versions, name = "pystatic_cpython_versions")

    # LLVM's BOLT (the `bolt` module extension): fetched only by builds that use it.
    maybe(llvm_bolt_repository, name = "pystatic_llvm_bolt")
    native.register_toolchains("@rules_pystatic//toolchains:all", "@rules_pystatic//toolchains/cpython:all")

    # distribution/MODULE.bazel's register_execution_platforms: every action runs on one of them.
    native.register_execution_platforms(*["@pystatic_distribution//platforms:" + name for name in EXEC_PLATFORMS])

def pystatic_wheels(
        name,
        lock,
        exclude = [],
        python_version = DEFAULT_PYTHON_VERSION,
        sdists = [],
        built_in = [],
        build_from_source = [],
        auto_build_from_source = False,
        build_requirements = None):
    """WORKSPACE counterpart of the `pystatic.wheels` module extension tag (docs/wheels.md).

    Args:
      name: repository name; packages are `@<name>//<package>`.
      lock: label of a PEP 751 pylock.toml, or of a requirements.txt with --hash.
      exclude: packages of the lock to leave out.
      python_version: the Python build the wheels are for (distribution/toolchains/python_builds.bzl): 3.13, or 3.13t (cp313t wheels).
      sdists: packages whose sdist is fetched too: for py_static_extension, and built for Windows where no pure
        wheel fits (docs/windows.md).
      built_in: extension modules linked in as built-ins with py_static_extension.
      build_from_source: packages (or "*") built from their sdists by their own PEP 517 backend (docs/extensions.md).
      auto_build_from_source: build a package whose wheel's extension is needed from its locked sdist, instead of
        loading the wheel's shared objects from memory (docs/native-wheels.md).
      build_requirements: label of a hashed requirements.txt of PEP 517 build requirements the ruleset's build lock
        lacks, added to the sdists' build environment; its pins replace the lock's (docs/extensions.md).
    """
    pystatic_wheels_repository(
        name = name,
        lock = lock,
        exclude = exclude,
        python_version = python_version,
        sdists = sdists,
        built_in = built_in,
        build_from_source = build_from_source,
        auto_build_from_source = auto_build_from_source,
        build_requirements = build_requirements,
    )
