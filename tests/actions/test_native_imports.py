from pystatic.binary.native_imports import stdlib_modules_named

STDLIB = frozenset({"uuid", "decimal", "datetime", "collections", "collections.abc", "os", "os.path", "enum"})


def test_names_in_c_strings_rust_runs_and_attributes():
    data = (b"\0uuid\0PyInit_orjson\0decimal\x00datetime.datetime_CAPI\0"
            b"collections.abcSetregisterKeysView\0os.path\0notamodule\0xuuid\0enumerate")
    assert stdlib_modules_named(data, STDLIB) == ["collections", "datetime", "decimal", "os.path", "uuid"]


def test_nothing_named_nothing_found():
    assert stdlib_modules_named(b"\x7fELF\0\0hello world", STDLIB) == []


def test_names_packed_into_rust_string_runs_end_where_no_identifier_goes_on():
    stdlib = frozenset({"json", "uuid", "time", "enum"})
    # orjson: "JSONDecodeError" then "json" with no separator; "timezone" is not "time".
    assert stdlib_modules_named(b"\0JSONDecodeErrorjson\0timezoneUTC", stdlib) == ["json"]
