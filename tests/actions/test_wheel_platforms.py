"""Target platforms, markers and wheel tags (actions/pystatic/repository/wheels/platforms.py)."""

import json

from packaging.markers import default_environment
from wheel_targets import ARM, FREE_X86, TARGETS, WINDOWS, WITH_WINDOWS, X86

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
    assert platforms[0].constraints == tuple(TARGETS[0]["constraints"])


def test_linux_targets_keep_their_names_windows_ones_are_named_by_their_platform():
    # The rule's rows of a Python build Windows has: linux-musl's, then Windows', in the table's order.
    platforms = platforms_of(WITH_WINDOWS, "3.13.15")
    assert [(p.key, p.setting, p.name) for p in platforms] == [
        ("x86_64", "linux_musl_x86_64", "linux_musl"),
        ("aarch64", "linux_musl_aarch64", "linux_musl_aarch64"),
        ("windows_x86_64", "windows_x86_64", "windows_x86_64"),
    ]
    assert [p.loads_extensions for p in platforms] == [True, True, False]
    assert [p.builds_sdists for p in platforms] == [True, True, True]  # Windows' C extensions become built-ins
    assert platforms[2].constraints[0] == "@@platforms//os:windows"


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


def test_markers_on_windows_are_what_cpython_on_windows_says():
    """packaging's default_environment() on Windows x64: os.name nt, sys.platform win32, platform.system()
    Windows, platform.machine() AMD64 (PROCESSOR_ARCHITECTURE), not the Bazel cpu x86_64."""
    environment = WINDOWS.marker_environment()
    assert set(environment) == set(default_environment()) | {"extra"}
    assert {k: environment[k] for k in ("os_name", "sys_platform", "platform_system", "platform_machine")} == {
        "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"}
    assert marker_applies('sys_platform == "win32" and platform_machine == "AMD64"', WINDOWS)
    assert marker_applies('platform_system == "Windows" and os_name == "nt"', WINDOWS)
    for linux_only in ('sys_platform == "linux"', 'os_name == "posix"', 'platform_machine == "x86_64"',
                       'platform_system != "Windows"'):
        assert marker_applies(linux_only, X86) and not marker_applies(linux_only, WINDOWS), linux_only
    assert not marker_applies('sys_platform == "win32"', X86)


def test_windows_takes_a_pure_wheel_even_where_its_own_wheel_ranks_first():
    package = LockedPackage("m", "1", wheels=[
        LockedWheel("m-1-cp313-cp313-win_amd64.whl", "a" * 64),
        LockedWheel("m-1-cp313-cp313-musllinux_1_2_x86_64.whl", "b" * 64),
        LockedWheel("m-1-py3-none-any.whl", "c" * 64),
    ])
    assert choose_wheel(package, WINDOWS)[0].filename == "m-1-py3-none-any.whl"
    assert choose_wheel(package, X86)[0].filename == "m-1-cp313-cp313-musllinux_1_2_x86_64.whl"
    # Its own (and abi3, py3-none-win_amd64) wheels fit its tags but are platform-specific: named, never chosen.
    package.wheels = package.wheels[:2] + [LockedWheel("m-1-cp38-abi3-win_amd64.whl", "d" * 64),
                                           LockedWheel("m-1-cp313-cp313-win32.whl", "e" * 64)]
    wheel, reason = choose_wheel(package, WINDOWS)
    assert wheel is None
    assert reason == ("no wheel in the lock fits x86_64-windows-gnu (CPython 3.13.15; Windows binaries take pure-Python "
                      "wheels only, as they cannot load wheels' extension modules yet): its wheels for Windows are "
                      "platform-specific: m-1-cp313-cp313-win_amd64.whl, m-1-cp38-abi3-win_amd64.whl")
    package.wheels = package.wheels[1:2]
    wheel, reason = choose_wheel(package, WINDOWS)
    assert wheel is None and reason.endswith("; the lock has: m-1-cp313-cp313-musllinux_1_2_x86_64.whl")
    assert "take pure-Python wheels only" not in choose_wheel(LockedPackage("g", "1"), X86)[1]


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
