"""The targets and Python builds of distribution/toolchains/targets.bzl and distribution/toolchains/python_builds.bzl, for the
action and repository scripts (which never read Starlark). tests/tools/test_targets.py fails when
these twins and the Starlark tables disagree.
"""

# Keyed by target triple; fields as documented in distribution/toolchains/targets.bzl.
TARGETS = {
    "x86_64-linux-musl": {
        "platform": "linux_musl",
        "cpu": "x86_64",
        "wheel_platforms": ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"],
        "openssl_target": "linux-x86_64",
        "meson_cpu_family": "x86_64",
        "elf_machine": "EM_X86_64",
        "qemu": "",
    },
    "aarch64-linux-musl": {
        "platform": "linux_musl_aarch64",
        "cpu": "aarch64",
        "wheel_platforms": ["musllinux_1_2_aarch64", "musllinux_1_1_aarch64", "musllinux_1_0_aarch64"],
        "openssl_target": "linux-aarch64",
        "meson_cpu_family": "aarch64",
        "elf_machine": "EM_AARCH64",
        "qemu": "qemu-aarch64-static",
    },
}

# Keyed by build name (the values of --@rules_pystatic//python:version).
PYTHON_BUILDS = {
    "3.13": {"source": "3.13", "free_threaded": False, "pgo_profile": "//toolchains/cpython/pgo:cpython_3_13", "lto": True},
    "3.13t": {"source": "3.13", "free_threaded": True, "pgo_profile": None, "lto": True},
}
DEFAULT_PYTHON_BUILD = "3.13"


def by_cpu():
    """{cpu: row} (the @platforms cpu names are unique among the targets)."""
    return {row["cpu"]: dict(row, triple=triple) for triple, row in TARGETS.items()}


def abiflags(build):
    return "t" if PYTHON_BUILDS[build]["free_threaded"] else ""
