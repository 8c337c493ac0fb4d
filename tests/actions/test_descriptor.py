import json

import pytest

from pystatic.common import descriptor


def example(**overrides):
    fields = dict(
        python_version="3.13.15", target_triple="aarch64-linux-musl",
        archives=["lib/libpython3.13.a", "lib/libssl.a"], system_libraries=["m"],
        builtins={"zlib": "PyInit_zlib", "_ssl": "PyInit__ssl"}, extensions_left_out={"_tkinter": "no Tk"},
        stdlib_excluded={"test": "CPython's own test suite"},
        licenses=[{"component": "cpython", "version": "3.13.15", "license": "PSF-2.0", "file": "LICENSE.cpython"}],
    )
    return descriptor.new(**(fields | overrides))


def test_dump_then_load_gives_every_accessor(tmp_path):
    path = tmp_path / "d.json"
    descriptor.dump(example(), path)
    d = descriptor.load(path)
    assert (d.python_version, d.major_minor, d.target_triple) == ("3.13.15", "3.13", "aarch64-linux-musl")
    assert d.archives == ["lib/libpython3.13.a", "lib/libssl.a"] and d.system_libraries == ["m"]
    assert d.extensions == {"_ssl": {"init": "PyInit__ssl", "builtin": True}, "zlib": {"init": "PyInit_zlib", "builtin": True}}
    assert d.builtin_modules == {"_ssl", "zlib"}
    assert d.extensions_left_out == {"_tkinter": "no Tk"} and d.stdlib_excluded == {"test": "CPython's own test suite"}
    assert d.licenses[0]["component"] == "cpython"
    assert (d.interpreter, d.stdlib, d.inittab) == ("bin/python3.13", "lib/python3.13", "config.c")
    # Every key written has an accessor, and nothing else is written.
    assert set(json.loads(path.read_text())) == set(descriptor.KEYS)


def test_layout_follows_the_python_version():
    assert descriptor.layout("3.14.0")["interpreter"] == "bin/python3.14"
    assert example(python_version="3.14.0")["stdlib"] == "lib/python3.14"


def test_other_version_fails_with_the_fix(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(example() | {"version": 1}))
    with pytest.raises(descriptor.DescriptorError, match=r"old.json: distribution descriptor version 1, .* reads version 2\. Fix: rebuild"):
        descriptor.load(path)


def test_unknown_key_is_refused_by_writer_and_reader(tmp_path):
    with pytest.raises(descriptor.DescriptorError, match=r"unknown descriptor keys \['headers'\].*Fix: add its accessor"):
        descriptor.dump(example() | {"headers": "include"}, tmp_path / "d.json")
    (tmp_path / "r.json").write_text(json.dumps(example() | {"headers": "include"}))
    with pytest.raises(descriptor.DescriptorError, match="headers"):
        descriptor.load(tmp_path / "r.json")


def test_writer_refuses_a_missing_key_and_reader_names_it(tmp_path):
    data = example()
    del data["inittab"]
    with pytest.raises(descriptor.DescriptorError, match=r"missing: \['inittab'\]"):
        descriptor.dump(data, tmp_path / "d.json")
    assert not (tmp_path / "d.json").exists()
    with pytest.raises(descriptor.DescriptorError, match="has no 'inittab'"):
        descriptor.Descriptor(data, "x.json").inittab


def test_not_json_names_the_file(tmp_path):
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(descriptor.DescriptorError, match="bad.json: not a readable distribution descriptor"):
        descriptor.load(tmp_path / "bad.json")


def test_pgo_records_the_profile_or_none(tmp_path):
    path = tmp_path / "d.json"
    descriptor.dump(example(), path)
    assert descriptor.load(path).pgo is None
    pgo = {"profile": "cpython-3.13.15.profdata.xz", "profile_sha256": "ab" * 32, "python_version": "3.13.15"}
    descriptor.dump(example(pgo=pgo), path)
    assert descriptor.load(path).pgo == pgo
