"""actions/pystatic/modules/names.py: the one definition of module names and native files."""

import pytest

from pystatic.modules.names import NATIVE_SUFFIXES, absolute_import_name, is_native_file, module_of, python_source_name


@pytest.mark.parametrize("path", [
    "pkg/_ext.cpython-313-x86_64-linux-musl.so", "pkg/_ext.pyd", "lib/libz.so.1", "a/b.dylib", "x.dll",
])
def test_native_files_include_versioned_shared_objects(path):
    assert is_native_file(path)


@pytest.mark.parametrize("path", ["pkg/mod.py", "pkg/data.json", "pkg.so.d/readme.txt", "pkg/so.py"])
def test_python_and_data_files_are_not_native(path):
    assert not is_native_file(path)


def test_suffixes_are_the_loaders_of_linux_windows_and_macos():
    assert set(NATIVE_SUFFIXES) == {".so", ".pyd", ".dylib", ".dll"}


@pytest.mark.parametrize("path, module", [
    ("a/b.cpython-313-x86_64-linux-musl.so", "a.b"),
    ("a/b.py", "a.b"),
    ("a/__init__.py", "a"),
    ("a/__init__.cpython-313-x86_64-linux-musl.so", "a"),  # Cython's compiled package __init__
    ("top.py", "top"),
])
def test_module_of(path, module):
    assert module_of(path) == module


@pytest.mark.parametrize("name, level, module, is_package, expected", [
    ("os", 0, "pkg.mod", False, "os"),
    ("sibling", 1, "pkg.mod", False, "pkg.sibling"),
    ("", 1, "pkg.mod", False, "pkg"),
    ("sub", 1, "pkg", True, "pkg.sub"),
    ("x", 2, "pkg.sub.mod", False, "pkg.x"),
    ("", 2, "pkg.mod", False, None),  # beyond the top-level package
    ("x", 3, "pkg.mod", False, None),
])
def test_absolute_import_name(name, level, module, is_package, expected):
    assert absolute_import_name(name, level, module, is_package) == expected


@pytest.mark.parametrize(
    "path, expected",
    [
        ("pkg/__init__.py", ("package", "pkg")),
        ("pkg/sub/mod.py", ("module", "pkg.sub.mod")),
        ("pkg/unicode10-0-0.py", ("module", "pkg.unicode10-0-0")),
        ("mypyc/lib-rt/build_setup.py", None),
        ("pkg/a.b.py", None),
        ("pkg/with space.py", None),
        ("__init__.py", None),
        ("pkg/data.txt", None),
    ],
)
def test_python_source_name(path, expected):
    assert python_source_name(path) == expected
