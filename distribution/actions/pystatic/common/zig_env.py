"""The environment the zig cc wrapper needs from an action that runs it itself (configure, make, sdists)."""

import os

# One variable per target (distribution/toolchains/cpython/cc_tools.bzl: the zig toolchain's prebuilt libc).
PREFIX = "PYSTATIC_ZIG_RUNTIME_"


def zig_runtime_env(environ=None):
    """{PYSTATIC_ZIG_RUNTIME_<target>: absolute dir} of the action's environment.

    Bazel gives them relative to the execution root (the action's working directory at start); the
    builds run the wrapper from other directories, so they get absolute paths.
    """
    environ = os.environ if environ is None else environ
    return {name: os.path.abspath(value) for name, value in environ.items() if name.startswith(PREFIX) and value}
