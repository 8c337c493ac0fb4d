"""cold_modules.py and the "cold_bytecode" payload class: the modules start-up does not import are stored
compressed, the ones it imports are not."""

import json

from pack_blob_fixtures import STDLIB, make_packs, run
from pystatic.binary.cold_modules import START_UP_MODULES, cold_modules, start_up_modules
from pystatic.format.blob import MODULE, PRIMARY_ZSTD, BlobReader, Entry, write_blob

# tool.cli imports tool.util at the top and tool.slow only inside a function; tool.plugins.* are found by
# name at run time; tool.types only under TYPE_CHECKING; vendor is a whole wheel that nothing imports.
APP = {
    "tool": {"imports": []},
    "tool.cli": {"imports": ["tool.util", "tool.slow", "tool.types"], "weak": {"tool.types": "type_checking"},
                 "deferred": {"tool.slow": ["Command.run"]}},
    "tool.util": {"imports": ["json", "email"], "deferred": {"email": ["report"]}},
    "tool.slow": {"imports": []},
    "tool.types": {"imports": []},
    "tool.plugins": {"imports": []},
    "tool.plugins.extra": {"imports": ["tool.util"]},
    "vendor": {"imports": ["vendor.core"]},
    "vendor.core": {"imports": []},
}
MODULES = {**{name: {"imports": imports} for name, imports in STDLIB.items()}, **APP}


def test_start_up_follows_imports_on_import_and_packages_not_functions_imports():
    assert start_up_modules(MODULES, ["tool.util"]) == {"tool", "tool.util", "json", "json.decoder", "re"}
    # The entry point's module runs its function: all its imports (not TYPE_CHECKING's) are followed.
    assert start_up_modules(MODULES, ["tool.cli"], entry_module="tool.cli") == {
        "tool", "tool.cli", "tool.util", "tool.slow", "json", "json.decoder", "re"}
    assert "tool.slow" not in start_up_modules(MODULES, ["tool.cli"])


def test_a_package_vendored_under_its_top_level_name_is_followed_into_its_embedded_copy():
    # awscli puts its own directory on a search path and imports awscli/botocore as `botocore`.
    modules = {
        "cli": {"imports": ["cli", "botocore.session"]},
        "cli.botocore": {"imports": []},
        "cli.botocore.session": {"imports": ["botocore.utils"]},
        "cli.botocore.utils": {"imports": []},
        "cli.botocore.unused": {"imports": []},
    }
    assert start_up_modules(modules, ["cli"]) == {"cli", "cli.botocore", "cli.botocore.session", "cli.botocore.utils"}
    # Two packages that could be meant: neither is followed.
    modules["other.botocore"] = {"imports": []}
    modules["other.botocore.session"] = {"imports": []}
    assert start_up_modules(modules, ["cli"]) == {"cli"}


def test_the_runtimes_patch_of_a_module_is_hot_with_it():
    # The importer patches posixpath when it is imported (runtime/_pystatic_realpath.py): its code runs then.
    modules = {"app": {"imports": ["os"]}, "os": {"imports": ["posixpath"]}, "posixpath": {"imports": []},
               "_pystatic_realpath": {"imports": ["errno"]}, "errno": {"imports": []}, "_pystatic_zip": {"imports": []},
               "_pystatic_paths": {"imports": []}}
    assert start_up_modules(modules, ["app"]) == {"app", "os", "posixpath", "_pystatic_paths", "_pystatic_realpath", "errno"}
    assert start_up_modules(modules, ["errno"]) == {"errno"}


def test_cold_modules_are_the_embedded_ones_start_up_does_not_import():
    cold = cold_modules(MODULES, MODULES, ["tool.cli"], entry_module="tool.cli")
    assert cold == ["_pystatic_resources", "email", "email.message", "sqlite3", "tool.plugins",
                    "tool.plugins.extra", "tool.types", "traceback", "vendor", "vendor.core"]
    # The runtime's start-up modules are never cold; only embedded modules are named.
    assert not set(cold) & set(START_UP_MODULES)
    assert cold_modules(MODULES, ["vendor", "json"], ["tool.cli"], entry_module="tool.cli") == ["vendor"]
    # An interpreter's roots are all its app modules: none of them is cold.
    assert not set(cold_modules(MODULES, MODULES, list(APP))) & set(APP)


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
    # The fake stdlib's cold modules are cold too (their payloads are too small to shrink).
    assert json.loads((tmp / "report.json").read_text())["cold_modules"] == 10
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
