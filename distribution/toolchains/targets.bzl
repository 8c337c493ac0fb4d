"""The target platforms rules_pystatic builds static executables for: one row per target.

Everything that varies per target is here, and generated from here: the platforms of
distribution/platforms/BUILD.bazel, the zig C toolchains of toolchains/BUILD.bazel, the runtime toolchains of
toolchains/cpython/BUILD.bazel (one per target x Python build), the supported-platform list of
unsupported-target errors, the wheel platforms of pystatic.wheels. This is the only home of these
facts: an action script gets its row's value as an argument from the rule that runs it
(openssl_target, meson_cpu_family: cc_tools.bzl's target_row; elf_machine: binary.bzl), and the
wheels repository's script the rows as JSON from its rule, so an action's key depends only on its
own row (tests/actions/test_targets.py).

Fields of a row (keyed by the zig/GNU target triple):
  platform: name of the platform in //platforms.
  cpu: the @platforms//cpu constraint; also platform_machine in wheel markers.
  wheel_platforms: musllinux wheel platform tags accepted, best first.
  openssl_target: OpenSSL's ./Configure target (--openssl_target of distribution/actions/pystatic/distribution/build_dep.py).
  meson_cpu_family: meson's cpu_family of the target (its reference table), for the cross file of
    packages built from sdists with meson-python (--meson_cpu_family of actions/pystatic/packages/build_sdist.py).
  elf_machine: e_machine of its executables, as pyelftools names it (actions/pystatic/binary/verify_elf.py).
  qemu: the qemu-user binary that runs its executables on the x86_64 build machines ("": native).
"""

TARGETS = {
    "x86_64-linux-musl": struct(
        platform = "linux_musl",
        cpu = "x86_64",
        wheel_platforms = ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"],
        openssl_target = "linux-x86_64",
        meson_cpu_family = "x86_64",
        elf_machine = "EM_X86_64",
        qemu = "",
    ),
    "aarch64-linux-musl": struct(
        platform = "linux_musl_aarch64",
        cpu = "aarch64",
        wheel_platforms = ["musllinux_1_2_aarch64", "musllinux_1_1_aarch64", "musllinux_1_0_aarch64"],
        openssl_target = "linux-aarch64",
        meson_cpu_family = "aarch64",
        elf_machine = "EM_AARCH64",
        qemu = "qemu-aarch64-static",
    ),
}

# The build machines' own target: its executables (the build-machine Python) run there.
BUILD_MACHINE_TRIPLE = "x86_64-linux-musl"

# Platforms with a C toolchain but no py_static_binary (no static CPython): named in errors.
OTHER_PLATFORMS = ["@rules_pystatic//platforms:windows_msvc (x86_64, on a Windows host)"]

def target_constraints(triple):
    """The constraint values of a target's platform, as Labels of this repository.

    Args:
      triple: a key of TARGETS.

    Returns:
      list of Label: os, cpu and libc.
    """
    return [
        Label("@platforms//os:linux"),
        Label("@platforms//cpu:" + TARGETS[triple].cpu),
        Label("//platforms:musl"),
    ]

def supported_platforms():
    """The platforms unsupported-target errors list, one line each."""
    return ["@rules_pystatic//platforms:{} ({})".format(t.platform, triple) for triple, t in TARGETS.items()] + OTHER_PLATFORMS
