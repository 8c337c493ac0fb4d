import json

import pytest

from pystatic.binary import shared_objects
from pystatic.format.blob import DATA


def write_check(tmp_path, name, loaded):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"target": f"//x:{name}", "package": f"{name} 1.0 ({name}-1.0-cp313.whl)",
                                "left_out": {}, "loaded": loaded}))
    return str(path)


def test_only_what_a_check_loads_is_embedded_with_the_gates_package_names(tmp_path):
    so = tmp_path / "a.so"
    so.write_bytes(b"\x7fELF-a")
    lib = tmp_path / "lib.so.1"
    lib.write_bytes(b"\x7fELF-lib")
    natives = [("pkg/a.so", str(so)), ("pkg.libs/lib.so.1", str(lib)), ("other/b.so", str(tmp_path / "absent"))]
    checks = [write_check(tmp_path, "pkg", ["pkg/a.so", "pkg.libs/lib.so.1"]), write_check(tmp_path, "other", [])]
    loaded = shared_objects.loaded_shared_objects(checks, natives)
    assert [(s.package, s.path) for s in loaded] == [("pkg@1.0", "pkg.libs/lib.so.1"), ("pkg@1.0", "pkg/a.so")]
    entries = shared_objects.entries_of(loaded)
    assert [(e.kind, e.name, e.primary, e.shared_object) for e in entries] == [
        (DATA, "pkg.libs/lib.so.1", b"\x7fELF-lib", True), (DATA, "pkg/a.so", b"\x7fELF-a", True)]
    assert shared_objects.report_of(loaded)[1] == {"package": "pkg@1.0", "path": "pkg/a.so", "file": str(so)}


def test_a_loaded_file_no_wheel_provides_is_an_error(tmp_path):
    with pytest.raises(shared_objects.SharedObjectError, match="pkg 1.0 .* loads pkg/a.so, which is not among"):
        shared_objects.loaded_shared_objects([write_check(tmp_path, "pkg", ["pkg/a.so"])], [])
    with pytest.raises(shared_objects.SharedObjectError, match="PATH=FILE"):
        shared_objects.parse_native("no-separator")
