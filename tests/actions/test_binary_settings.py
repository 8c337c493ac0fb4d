import json

import pytest

from pystatic.binary.settings import BinarySettings, EntryPoint, ResolvedEntryPoint, SettingsError


def write(tmp_path, data):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data))
    return path


def test_loads_every_field_typed(tmp_path):
    settings = BinarySettings.load(write(tmp_path, {
        "target": "//app:app", "entry_point": {"module": "app.cli", "function": "main", "main": "", "console_script": ""},
        "stdlib_mode": "all", "stdlib_include": ["email"], "zstd_level": 10, "zstd_payloads": ["source", "data"], "extract_packages": ["certifi"],
        "allocator": "malloc", "optimize": 2, "file_view": False, "extensions": [["_yaml", "PyInit__yaml"]],
    }))
    assert settings.entry_point == EntryPoint(module="app.cli", function="main")
    assert settings.stdlib_include == ("email",) and settings.extract_packages == ("certifi",)
    assert settings.extensions == (("_yaml", "PyInit__yaml"),)
    assert settings.zstd_payloads == ("source", "data")
    assert (settings.stdlib_mode, settings.zstd_level, settings.allocator, settings.optimize, settings.file_view) == (
        "all", 10, "malloc", 2, False)


def test_defaults_are_the_rules(tmp_path):
    settings = BinarySettings.load(write(tmp_path, {}))
    assert settings == BinarySettings()
    assert settings.stdlib_mode == "imported" and settings.include_sources and settings.stdlib_sources
    assert settings.file_view and settings.utf8_mode and settings.buffered_stdio and not settings.use_environment
    assert settings.allocator == "mimalloc" and settings.optimize == 0 and settings.zstd_level is None
    assert settings.entry_point == EntryPoint()


@pytest.mark.parametrize("data, message", [
    ({"no_file_view": True}, "unknown setting no_file_view"),
    ({"entry_point": {"module": "m", "entry_function": "f"}}, "entry_point: unknown setting entry_function"),
    ({"file_view": 1}, "file_view must be true or false"),
    ({"optimize": "2"}, "optimize must be a int"),
    ({"optimize": True}, "optimize must be a int"),
    ({"zstd_level": "10"}, "zstd_level must be an integer or null"),
    ({"stdlib_include": "email"}, "stdlib_include must be a list of strings"),
    ({"extensions": [["_yaml"]]}, "extensions must be a list of"),
    ({"stdlib_mode": "some"}, "stdlib_mode 'some' is not one of all, imported"),
    ({"zstd_payloads": ["sources"]}, "zstd_payloads sources not among bytecode, cold_bytecode, source, data"),
])
def test_unknown_keys_and_wrong_types_are_rejected(tmp_path, data, message):
    with pytest.raises(SettingsError, match=message):
        BinarySettings.load(write(tmp_path, data))


def test_resolved_entry_point_has_module_and_function_fields():
    assert ResolvedEntryPoint("pkg.mod") == ResolvedEntryPoint(module="pkg.mod", function="")
    assert ResolvedEntryPoint("pkg.mod", "cli.main").function == "cli.main"
