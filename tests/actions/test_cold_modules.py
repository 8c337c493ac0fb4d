"""cold_modules.py and the "cold_bytecode" payload class: the app modules the entry point does not reach
are stored compressed, the ones it reaches are not."""

import json

from pack_blob_fixtures import make_packs, run
from pystatic.binary.cold_modules import cold_app_modules, reached_app_modules
from pystatic.format.blob import MODULE, PRIMARY_ZSTD, BlobReader, Entry, write_blob

# tool.cli imports tool.util at the top and tool.slow inside a function; tool.plugins.* are found by name
# at run time; tool.types only under TYPE_CHECKING; vendor is a whole wheel that nothing imports.
APP = {
    "tool": {"imports": []},
    "tool.cli": {"imports": ["tool.util", "tool.slow", "tool.types"], "weak": {"tool.types": "type_checking"}},
    "tool.util": {"imports": ["json"]},
    "tool.slow": {"imports": []},
    "tool.types": {"imports": []},
    "tool.plugins": {"imports": []},
    "tool.plugins.extra": {"imports": ["tool.util"]},
    "vendor": {"imports": ["vendor.core"]},
    "vendor.core": {"imports": []},
}


def test_reached_follows_imports_packages_and_function_level_imports():
    assert reached_app_modules(APP, ["tool.cli"]) == {"tool", "tool.cli", "tool.util", "tool.slow"}
    assert cold_app_modules(APP, ["tool.cli"]) == ["tool.plugins", "tool.plugins.extra", "tool.types", "vendor", "vendor.core"]
    # An interpreter's roots are all its app modules: nothing is cold.
    assert cold_app_modules(APP, list(APP)) == []


def _app_pack(tmp):
    # Bytecode-like payloads that compress (the pack step keeps a frame only when it is smaller).
    entries = [Entry(MODULE, name, primary=(name.encode() + b" co_code ") * 200, source=b"src",
                     is_package=name in ("tool", "tool.plugins", "vendor")) for name in APP]
    (tmp / "app.blob").write_bytes(write_blob(entries, b"\xf3\r\r\n"))
    (tmp / "app.json").write_text(json.dumps({"modules": {
        name: dict(info, defines=["main"], path=name.replace(".", "/") + ".py") for name, info in APP.items()}}))


def _compressed_modules(tmp):
    reader = BlobReader((tmp / "out.blob").read_bytes())
    return sorted(r.name for r in reader._records if r.kind == MODULE and r.flags & PRIMARY_ZSTD)


def test_pack_compresses_only_cold_bytecode(tmp_path):
    tmp = make_packs(tmp_path)
    _app_pack(tmp)
    assert run(tmp, entry="tool.cli:main", zstd_level=3, zstd_payloads=["cold_bytecode"]) == 0
    assert _compressed_modules(tmp) == ["tool.plugins", "tool.plugins.extra", "tool.types", "vendor", "vendor.core"]
    assert json.loads((tmp / "report.json").read_text())["cold_modules"] == 5
    # Without the class nothing is compressed; with "bytecode" everything is.
    assert run(tmp, entry="tool.cli:main", zstd_level=3, zstd_payloads=["source"]) == 0
    assert _compressed_modules(tmp) == []
    assert run(tmp, entry="tool.cli:main", zstd_level=3, zstd_payloads=["bytecode"]) == 0
    assert set(_compressed_modules(tmp)) >= set(APP)


def test_cold_bytecode_reads_back_unchanged(tmp_path):
    tmp = make_packs(tmp_path)
    _app_pack(tmp)
    assert run(tmp, entry="tool.cli:main", zstd_level=3, zstd_payloads=["cold_bytecode"]) == 0
    reader = BlobReader((tmp / "out.blob").read_bytes())
    assert reader.get(MODULE, "vendor.core").primary == b"vendor.core co_code " * 200
    assert reader.get(MODULE, "tool.cli").primary == b"tool.cli co_code " * 200
