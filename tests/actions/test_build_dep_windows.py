"""The Windows recipes of the distribution's C libraries (build_dep_windows.py)."""

import json
import pathlib

import pytest

from pystatic.distribution import build_dep, build_dep_windows, configure_make
from starlark_tables import windows_row

SOURCES_JSON = pathlib.Path(__file__).resolve().parents[2] / "distribution" / "toolchains" / "cpython" / "sources.json"
ROW = windows_row()
CROSS = {"target": ROW["gnu_triple"], "build_target": "x86_64-linux-musl", "build_cc_abs": "/w/tools/build-cc",
         "openssl_target": ROW["openssl_target"]}


def _recipe(name, **extra):
    args = type("Args", (), {"jobs": 2, "cc_abs": "/w/tools/cc", "ar_abs": "/w/tools/ar", "stage": "/w/stage",
                             **CROSS, **extra})()
    return build_dep_windows.RECIPES[name][1](args)


def _configure(name):
    return next(c for c in _recipe(name) if "./configure" in c)


def test_every_pinned_dependency_has_a_windows_recipe_or_is_left_out_by_the_row():
    deps = set(json.loads(SOURCES_JSON.read_text())["deps"])
    assert set(build_dep_windows.RECIPES) == deps - set(ROW["deps_left_out"])
    assert set(ROW["deps_left_out"]) <= deps
    # The same licence files and archives as the Linux recipes: one library, two recipes.
    for name, (licences, _, archives) in build_dep_windows.RECIPES.items():
        assert (licences, archives) == (build_dep.RECIPES[name][0], build_dep.RECIPES[name][2]), name


def test_no_command_drops_the_unwind_tables_windows_needs():
    assert not set(configure_make.NO_UNWIND_TABLES) & set(build_dep_windows.CFLAGS.split())
    assert set(configure_make.OPTIMISATION_FLAGS) <= set(build_dep_windows.CFLAGS.split())
    for name in build_dep_windows.RECIPES:
        for cmd in _recipe(name):
            assert not set(configure_make.NO_UNWIND_TABLES) & set(" ".join(cmd).split()), (name, cmd)
    # configure and the hand-written compiles get the Windows CFLAGS in their environment, over
    # dep_builder's (which names the Linux flags).
    for name in ("xz", "libffi", "sqlite3"):
        assert _configure(name)[:2] == ["env", f"CFLAGS={build_dep_windows.CFLAGS}"], name
    assert _recipe("zlib")[0][:2] == ["env", f"CFLAGS={build_dep_windows.CFLAGS}"]


def test_autoconf_gets_the_rows_gnu_triple_and_the_build_machine():
    """config.sub refuses zig's x86_64-windows-gnu: the rule passes the row's gnu_triple as --target."""
    assert ROW["gnu_triple"] == "x86_64-w64-mingw32" and ROW["triple"] != ROW["gnu_triple"]
    for name in ("xz", "libffi", "sqlite3"):
        assert {f"--host={ROW['gnu_triple']}", "--build=x86_64-linux-musl"} <= set(_configure(name)), name
    # sqlite's code generators run during the build: the build machine's compiler.
    jimsh, configure = _recipe("sqlite3")[:2]
    assert '"/w/tools/build-cc"' in jimsh[-1] and "CC_FOR_BUILD=/w/tools/build-cc" in configure


def test_objects_are_named_since_zig_names_windows_objects_obj():
    for name, archive in (("zlib", "libz.a"), ("bzip2", "libbz2.a")):
        script = _recipe(name)[0][-1]
        assert '-o "${c%.c}.o"' in script and f'"$AR" rcs {archive} *.o' in script, name
    assert "bzlib.c" in _recipe("bzip2")[0][-1] and "bzip2recover.c" not in _recipe("bzip2")[0][-1]
    # sqlite's main.mk compiles the amalgamation without -o: the object is renamed before `ar`.
    make_object, rename, archive = _recipe("sqlite3")[2:5]
    assert make_object[-1] == "sqlite3.o" and "mv sqlite3.obj sqlite3.o" in rename[-1] and archive[-1] == "libsqlite3.a"


def test_openssl_takes_mingw64_from_the_row_and_needs_no_resource_compiler():
    configure = _recipe("openssl")[0]
    assert configure[:3] == ["perl", "./Configure", ROW["openssl_target"]] and "RC=true" in configure
    assert {"no-shared", "no-apps"} <= set(configure)
    with pytest.raises(configure_make.BuildError, match="no OpenSSL Configure target for x86_64-w64-mingw32"):
        _recipe("openssl", openssl_target=None)


def test_unknown_library_names_the_windows_recipes(tmp_path, capsys):
    argv = ["--name", "libuuid", "--source", "x.tar.gz", "--target", ROW["gnu_triple"], "--cc", "/bin/true",
            "--ar", "/bin/true", "--output", str(tmp_path / "o"), "--log", str(tmp_path / "log")]
    assert build_dep_windows.main(argv) == 1
    assert "no recipe for 'libuuid'; known: bzip2, libffi, openssl, sqlite3, xz, zlib, zstd" in capsys.readouterr().err
