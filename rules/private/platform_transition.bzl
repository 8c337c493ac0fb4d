"""py_static_binary's incoming-edge transition: its Python build and, in a plain `bazel build`, its platform.

`bazel build //app:tool` with no --platforms builds for the host's platform, which has no static
CPython. The transition then sets --platforms to the musl platform of the host's CPU (or of the
target's `platform` attribute), so the plain command builds and `bazel run` runs the executable.
A --platforms on the command line is left alone (cross builds, your own musl platforms): those builds
keep their configuration, output paths and action keys (docs/py_static_binary.md, Platforms).
"""

load("@platforms//host:constraints.bzl", "HOST_CONSTRAINTS")
load("@pystatic_distribution//toolchains:targets.bzl", "TARGETS")
load("@pystatic_distribution//toolchains/cpython:transitions.bzl", "PYTHON_BUILD_FLAG", "python_build_outputs")

_PLATFORMS = "//command_line_option:platforms"
_HOST_PLATFORM = "//command_line_option:host_platform"

def _host_cpu():
    for constraint in HOST_CONSTRAINTS:
        package, _, name = str(constraint).rpartition(":")
        if package.endswith("//cpu"):
            return name
    return None

def default_platform():
    """The host CPU's linux-musl platform.

    Returns:
      The Label of //platforms:<platform> of TARGETS' row of the host's cpu, or None.
    """
    cpu = _host_cpu()
    for target in TARGETS.values():
        if target.cpython and target.os == "linux" and target.cpu == cpu:
            return Label("//platforms:" + target.platform)
    return None

# The musl platforms of TARGETS, as the `platform` attribute's error names them.
MUSL_PLATFORMS = ["@rules_pystatic//platforms:" + target.platform for target in TARGETS.values() if target.cpython]

def _chosen_platforms(settings):
    """True if the configuration names a platform other than the host's (a --platforms was given)."""
    platforms = settings[_PLATFORMS]
    return bool(platforms) and [str(p) for p in platforms] != [str(settings[_HOST_PLATFORM])]

def _impl(settings, attr):
    outputs = python_build_outputs(settings, attr)
    if _chosen_platforms(settings):
        outputs[_PLATFORMS] = settings[_PLATFORMS]
        return outputs
    platform = attr.platform or default_platform()
    if platform == None:
        fail(("py_static_binary {}: this build machine's CPU ({}) has no linux-musl platform in rules_pystatic " +
              "(@pystatic_distribution//toolchains:targets.bzl). Fix: build " +
              "with --platforms=@rules_pystatic//platforms:linux_musl (or another of {}), or set the " +
              "target's platform attribute.").format(attr.name, _host_cpu(), ", ".join(MUSL_PLATFORMS)))
    outputs[_PLATFORMS] = [str(platform)]
    return outputs

binary_transition = transition(
    implementation = _impl,
    inputs = [PYTHON_BUILD_FLAG, _PLATFORMS, _HOST_PLATFORM],
    outputs = [PYTHON_BUILD_FLAG, _PLATFORMS],
)
