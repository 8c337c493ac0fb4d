"""Target platforms, markers and wheel tags (actions/pystatic/repository/wheels/platforms.py)."""

import json

from wheel_targets import ARM, FREE_X86, TARGETS, X86

from pystatic.repository.wheels.lock import LockedPackage, LockedWheel
from pystatic.repository.wheels.platforms import choose_wheel, marker_applies, platforms_of, read_targets


def test_platforms_come_from_the_rules_targets_json_in_its_order(tmp_path):
    path = tmp_path / "targets.json"
    path.write_text(json.dumps(TARGETS))
    platforms = platforms_of(read_targets(path), "3.13.15", "t")
    assert [(p.triple, p.cpu, p.name) for p in platforms] == [
        ("x86_64-linux-musl", "x86_64", "linux_musl"), ("aarch64-linux-musl", "aarch64", "linux_musl_aarch64")]
    assert platforms[1].platform_tags() == TARGETS[1]["wheel_platforms"]
    assert platforms[0].abiflags == "t" and platforms[0].major_minor == (3, 13)


def test_choose_wheel_prefers_the_platforms_own_then_pure_never_glibc():
    package = LockedPackage("m", "1", wheels=[
        LockedWheel("m-1-py3-none-any.whl", "a" * 64),
        LockedWheel("m-1-cp313-cp313-musllinux_1_2_x86_64.whl", "b" * 64),
        LockedWheel("m-1-cp313-cp313-manylinux_2_17_aarch64.whl", "c" * 64),
    ])
    assert choose_wheel(package, X86)[0].filename.endswith("musllinux_1_2_x86_64.whl")
    assert choose_wheel(package, ARM)[0].filename == "m-1-py3-none-any.whl"
    glibc_only = LockedPackage("g", "1", wheels=[LockedWheel("g-1-cp313-cp313-manylinux_2_17_aarch64.whl", "c" * 64)])
    wheel, reason = choose_wheel(glibc_only, ARM)
    assert wheel is None and "no wheel in the lock fits aarch64-linux-musl" in reason


def test_markers_are_evaluated_for_the_target_not_the_build_machine():
    assert marker_applies('platform_machine == "aarch64" and sys_platform == "linux"', ARM)
    assert not marker_applies('platform_machine == "aarch64"', X86)
    assert not marker_applies('python_version < "3.13"', X86)
    assert marker_applies('extra == "fast"', X86, ("fast",))


def test_free_threaded_build_takes_cp313t_then_pure_never_abi3_or_the_gil_abi():
    package = LockedPackage("foo", "1.0", wheels=[
        LockedWheel("foo-1.0-cp313-cp313-musllinux_1_2_x86_64.whl", "a" * 64),
        LockedWheel("foo-1.0-cp38-abi3-musllinux_1_2_x86_64.whl", "b" * 64),
        LockedWheel("foo-1.0-cp313-cp313t-musllinux_1_2_x86_64.whl", "c" * 64),
        LockedWheel("foo-1.0-py3-none-any.whl", "d" * 64),
    ])
    assert choose_wheel(package, FREE_X86)[0].filename == "foo-1.0-cp313-cp313t-musllinux_1_2_x86_64.whl"
    assert choose_wheel(package, X86)[0].filename == "foo-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    package.wheels = package.wheels[:2] + package.wheels[3:]
    assert choose_wheel(package, FREE_X86)[0].filename == "foo-1.0-py3-none-any.whl"
    package.wheels = package.wheels[:2]
    wheel, reason = choose_wheel(package, FREE_X86)
    assert wheel is None
    assert "no wheel in the lock fits x86_64-linux-musl (CPython 3.13.15t)" in reason
    assert "foo-1.0-cp38-abi3-musllinux_1_2_x86_64.whl" in reason
