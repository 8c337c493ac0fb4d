import pytest

from pystatic.common.descriptor import Descriptor
from pystatic.runtime_toolchain import merge_archives


def test_archives_in_descriptor_order_under_the_distribution():
    descriptor = Descriptor({"version": 2, "link": {"archives": ["lib/libpython3.13.a", "lib/libssl.a"], "system_libraries": ["m"]}})
    assert merge_archives.archives_to_merge(descriptor, "out/dist") == ["out/dist/lib/libpython3.13.a", "out/dist/lib/libssl.a"]


def test_system_libraries_beyond_libc_are_an_error():
    with pytest.raises(merge_archives.MergeError, match="readline"):
        merge_archives.archives_to_merge(Descriptor({"version": 2, "link": {"archives": [], "system_libraries": ["m", "readline"]}}), "d")


def test_mri_script_and_unsafe_paths():
    assert merge_archives.mri_script("o.a", ["x/a.a", "y/b.a"]) == "CREATE o.a\nADDLIB x/a.a\nADDLIB y/b.a\nSAVE\nEND\n"
    with pytest.raises(merge_archives.MergeError, match="unusable"):
        merge_archives.mri_script("o.a", ["with;semicolon.a"])


def test_the_extra_builtins_archives_come_after_the_distributions(tmp_path):
    import json

    from pystatic.common import extra_builtins

    (tmp_path / "d.json").write_text(json.dumps({"version": 2, "link": {"archives": ["lib/libpython3.13.a"], "system_libraries": ["m"]}}))
    (tmp_path / "x.json").write_text(json.dumps({"version": 1, "modules": {}, "licenses": [],
                                                 "archives": ["lib/libpystatic_extra_builtins.a", "lib/libncursesw.a"]}))
    combined = extra_builtins.combined(tmp_path / "d.json", tmp_path / "x.json", tmp_path / "extra")
    assert merge_archives.archives_to_merge(combined, "out/dist") == [
        "out/dist/lib/libpython3.13.a", str(tmp_path / "extra/lib/libpystatic_extra_builtins.a"), str(tmp_path / "extra/lib/libncursesw.a")]



def test_system_libraries_the_links_name_are_allowed_and_others_refused():
    descriptor = Descriptor({"version": 2, "link": {"archives": ["libs/libpython3.13.a"],
                                                    "system_libraries": ["ws2_32", "api-ms-win-core-path-l1-1-0"]}})
    # A musl link names none: refused, naming the library.
    with pytest.raises(merge_archives.MergeError, match="ws2_32"):
        merge_archives.archives_to_merge(descriptor, "d")
    # Windows links name the target row's system_libraries (binary_link.bzl): those are fine, others not.
    linked = ["ws2_32", "api-ms-win-core-path-l1-1-0", "bcrypt"]
    assert merge_archives.archives_to_merge(descriptor, "d", linked) == ["d/libs/libpython3.13.a"]
    with pytest.raises(merge_archives.MergeError, match="api-ms-win-core-path-l1-1-0.*system_libraries"):
        merge_archives.archives_to_merge(descriptor, "d", ["ws2_32"])
