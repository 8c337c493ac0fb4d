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
