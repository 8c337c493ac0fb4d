"""The transition to the build machine: tools that must run there (the build-machine Python of the
target's version, a C compiler for build-time helper programs) are built for x86_64 linux-musl.

A target already built for //platforms:linux_musl transitions to the same configuration, so a
native x86_64 build does not build anything twice.
"""

# Triples whose binaries the build machines (x86_64 Linux) execute natively.
BUILD_MACHINE_TRIPLE = "x86_64-linux-musl"

def _build_python_transition_impl(settings, attr):
    _ignore = (settings, attr)  # @unused

    # The build machines are x86_64 Linux: zig's static x86_64 musl binaries run there.
    return {"//command_line_option:platforms": str(Label("//platforms:linux_musl"))}

build_python_transition = transition(
    implementation = _build_python_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)
