"""Test data for the wheels repository's tests: the TARGETS rows the repository rule writes as JSON."""

from pystatic.repository.wheels.platforms import platforms_of


def _constraints(os, cpu, libc):
    return ["@@platforms//os:" + os, "@@platforms//cpu:" + cpu, "@@rules_pystatic+//platforms:" + libc]


TARGETS = [
    {
        "triple": "x86_64-linux-musl", "os": "linux", "cpu": "x86_64", "platform_machine": "x86_64", "platform": "linux_musl",
        "wheel_platforms": ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"],
        "constraints": _constraints("linux", "x86_64", "musl"),
    },
    {
        "triple": "aarch64-linux-musl", "os": "linux", "cpu": "aarch64", "platform_machine": "aarch64",
        "platform": "linux_musl_aarch64",
        "wheel_platforms": ["musllinux_1_2_aarch64", "musllinux_1_1_aarch64", "musllinux_1_0_aarch64"],
        "constraints": _constraints("linux", "aarch64", "musl"),
    },
]
# The rows of a Python build Windows has (3.13): the windows row after the linux ones, as in TARGETS.
WINDOWS_ROW = {
    "triple": "x86_64-windows-gnu", "os": "windows", "cpu": "x86_64", "platform_machine": "AMD64",
    "platform": "windows_x86_64", "wheel_platforms": ["win_amd64"], "constraints": _constraints("windows", "x86_64", "ucrt"),
}
WITH_WINDOWS = TARGETS + [WINDOWS_ROW]

X86, ARM = platforms_of(TARGETS, "3.13.15")
(FREE_X86, _) = platforms_of(TARGETS, "3.13.15", "t")
(WINDOWS,) = platforms_of([WINDOWS_ROW], "3.13.15")
