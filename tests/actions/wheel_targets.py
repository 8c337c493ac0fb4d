"""Test data for the wheels repository's tests: the TARGETS rows the repository rule writes as JSON."""

from pystatic.repository.wheels.platforms import platforms_of

TARGETS = [
    {
        "triple": "x86_64-linux-musl", "cpu": "x86_64", "platform": "linux_musl",
        "wheel_platforms": ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"],
    },
    {
        "triple": "aarch64-linux-musl", "cpu": "aarch64", "platform": "linux_musl_aarch64",
        "wheel_platforms": ["musllinux_1_2_aarch64", "musllinux_1_1_aarch64", "musllinux_1_0_aarch64"],
    },
]

X86, ARM = platforms_of(TARGETS, "3.13.15")
(FREE_X86, _) = platforms_of(TARGETS, "3.13.15", "t")
