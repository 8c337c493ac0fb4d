"""The transition to the build machine: tools that must run there (the build-machine Python of the
target's version, a C compiler for build-time helper programs) are built for x86_64 linux-musl.

A target already built for //platforms:linux_musl transitions to the same configuration, so a
native x86_64 build does not build anything twice.
"""

load("//toolchains:python_builds.bzl", "DEFAULT_PYTHON_BUILD", "PYTHON_BUILDS")
load("//toolchains:targets.bzl", "TARGETS", _BUILD_MACHINE_TRIPLE = "BUILD_MACHINE_TRIPLE")

# Triples whose binaries the build machines (x86_64 Linux) execute natively.
BUILD_MACHINE_TRIPLE = _BUILD_MACHINE_TRIPLE

def _build_python_transition_impl(settings, attr):
    _ignore = (settings, attr)  # @unused

    # The build machines are x86_64 Linux: zig's static x86_64 musl binaries run there.
    return {"//command_line_option:platforms": str(Label("//platforms:" + TARGETS[BUILD_MACHINE_TRIPLE].platform))}

build_python_transition = transition(
    implementation = _build_python_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

# The build setting that selects a Python build (distribution/toolchains/python_builds.bzl), as transitions name it.
PYTHON_BUILD_FLAG = str(Label("//python:version"))

def python_build_outputs(settings, attr):
    """The Python build of a target with a `python_version` attribute.

    python_build_transition's implementation, for transitions that also set other flags.

    Args:
      settings: the transition's settings (PYTHON_BUILD_FLAG among them).
      attr: the target's attributes (python_version, name).

    Returns:
      {PYTHON_BUILD_FLAG: the build}.
    """
    wanted = attr.python_version
    if not wanted:
        return {PYTHON_BUILD_FLAG: settings[PYTHON_BUILD_FLAG]}
    if wanted not in PYTHON_BUILDS:
        fail(("{}: python_version = \"{}\" is not a Python build of rules_pystatic; known: {}. " +
              "Fix: use one of them (distribution/toolchains/python_builds.bzl), or leave it unset for " +
              "--@rules_pystatic//python:version (default {}).").format(
            attr.name,
            wanted,
            ", ".join(PYTHON_BUILDS),
            DEFAULT_PYTHON_BUILD,
        ))
    return {PYTHON_BUILD_FLAG: wanted}

# A `python_version` attribute: the target and everything below it (runtime toolchain, wheels,
# sdist builds) use that build; unset, the build setting's value.
python_build_transition = transition(
    implementation = python_build_outputs,
    inputs = [PYTHON_BUILD_FLAG],
    outputs = [PYTHON_BUILD_FLAG],
)

def _distribution_transition_impl(settings, attr):
    _ignore = (settings, attr)  # @unused
    return {PYTHON_BUILD_FLAG: DEFAULT_PYTHON_BUILD, "//command_line_option:compilation_mode": "fastbuild"}

# A distribution is one Python build by its own attributes; the build setting only picks which
# distribution a binary uses. Resetting it here keeps one configuration (one output path, one set
# of action keys) per distribution and platform, however a binary selected it, and shares the C
# libraries between all builds. The compilation mode too: the build sets its own compiler flags
# (build_cpython.py: PGO, LTO, -O2), so `-c opt` (BOLT's builds) changed nothing in it but its
# output path, and rebuilt the whole distribution (30 min on 2 cores) for identical outputs.
distribution_transition = transition(
    implementation = _distribution_transition_impl,
    inputs = [],
    outputs = [PYTHON_BUILD_FLAG, "//command_line_option:compilation_mode"],
)
