"""The extra built-ins (_curses, _curses_panel, readline): build_extra_builtins.py and their JSON
(pystatic.common.extra_builtins), as the binary's steps see the distribution through `combined`."""

import io
import json
import os
import tarfile

import pytest

from pystatic.common import extra_builtins
from pystatic.distribution import build_extra_builtins
from pystatic.distribution.configure_make import BuildError

DESCRIPTOR = {
    "version": 2, "python_version": "3.13.15", "abiflags": "", "target_triple": "x86_64-linux-musl",
    "link": {"archives": ["lib/libpython3.13.a", "lib/libz.a"], "system_libraries": ["m"]},
    "extensions": {"zlib": {"init": "PyInit_zlib", "builtin": True}},
    "extensions_left_out": {"_curses": {"state": "n/a", "reason": "left out: ncurses is not built"},
                            "_tkinter": {"state": "n/a", "reason": "left out: Tk"}},
    "licenses": [{"component": "zlib", "version": "1.3.2", "license": "Zlib", "file": "LICENSE.zlib", "source_sha256": "ab" * 32}],
}
EXTRA = extra_builtins.new(
    modules={"_curses": {"init": "PyInit__curses", "libraries": ["ncurses"], "defines": [], "left_out_by_cpython": "x"}},
    archives=["lib/libpystatic_extra_builtins.a", "lib/libncursesw.a"],
    licenses=[{"component": "ncurses", "version": "6.6", "license": "X11-distribute-modifications-variant",
               "file": "LICENSE.ncurses", "source_sha256": "cd" * 32, "source_origin": "o"}],
)


def write(tmp_path, descriptor=DESCRIPTOR, extra=EXTRA):
    (tmp_path / "d.json").write_text(json.dumps(descriptor))
    (tmp_path / "x").mkdir(exist_ok=True)
    extra_builtins.dump(extra, tmp_path / "x.json")
    return tmp_path / "d.json", tmp_path / "x.json"


def test_combined_adds_modules_archives_and_licences_and_drops_the_left_out_reason(tmp_path):
    descriptor, extra = write(tmp_path)
    combined = extra_builtins.combined(descriptor, extra, tmp_path / "x")
    assert combined.extensions["_curses"] == {"init": "PyInit__curses", "builtin": True}
    assert combined.builtin_modules == {"zlib", "_curses"}
    assert set(combined.extensions_left_out) == {"_tkinter"}
    assert combined.archives == ["lib/libpython3.13.a", "lib/libz.a", str(tmp_path / "x" / "lib/libpystatic_extra_builtins.a"),
                                 str(tmp_path / "x" / "lib/libncursesw.a")]
    assert [e["component"] for e in combined.licenses] == ["zlib", "ncurses"]
    assert combined.licenses[1]["file"] == str(tmp_path / "x" / "LICENSE.ncurses")
    assert extra_builtins.extra_inittab(extra) == [("_curses", "PyInit__curses")]
    # Without the file: the descriptor as it is.
    assert extra_builtins.combined(descriptor).builtin_modules == {"zlib"} and extra_builtins.extra_inittab(None) == []


def test_a_module_cpython_already_builds_in_is_an_error(tmp_path):
    descriptor, extra = write(tmp_path, descriptor=DESCRIPTOR | {"extensions": {"_curses": {"init": "PyInit__curses", "builtin": True}}})
    with pytest.raises(extra_builtins.ExtraBuiltinsError, match="built in by CPython already"):
        extra_builtins.combined(descriptor, extra)


def test_a_file_of_another_format_is_refused_with_the_fix(tmp_path):
    (tmp_path / "x.json").write_text('{"version": 0}')
    with pytest.raises(extra_builtins.ExtraBuiltinsError, match="Fix: rebuild"):
        extra_builtins.load(tmp_path / "x.json")


def tarball(path, top, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_extract_modules_takes_the_sources_and_clinic_headers_of_any_top_directory(tmp_path):
    files = {f"Modules/{src}": src for src, _ in build_extra_builtins.MODULES.values()}
    files |= {f"Modules/clinic/{src}.h": "clinic" for src, _ in build_extra_builtins.MODULES.values()}
    tarball(tmp_path / "py.tgz", "Python-3.13.15-repack", files | {"Modules/other.c": ""})
    modules = build_extra_builtins.extract_modules(tmp_path / "py.tgz", tmp_path / "src")
    assert sorted(p.name for p in modules.iterdir()) == sorted(["clinic", *[s for s, _ in build_extra_builtins.MODULES.values()]])
    tarball(tmp_path / "bad.tgz", "Python", {"Modules/readline.c": ""})
    with pytest.raises(BuildError, match="has no Modules/_curses_panel.c"):
        build_extra_builtins.extract_modules(tmp_path / "bad.tgz", tmp_path / "src2")


def test_probe_keeps_the_checks_whose_snippet_compiles(tmp_path):
    # A compiler that accepts a snippet unless it names `missing_function`.
    cc = tmp_path / "cc"
    cc.write_text('#!/bin/sh\nfor a; do case "$a" in *.c) grep -q missing_function "$a" && exit 1;; esac; done\nexit 0\n')
    cc.chmod(0o755)
    checks = {"HAVE_GOOD": "good();", "HAVE_MISSING": "missing_function();"}
    with open(tmp_path / "log", "w") as log:
        assert build_extra_builtins.probe(str(cc), [], "#include <x.h>\n", checks, tmp_path, {"PATH": os.environ["PATH"]}, log) == ["HAVE_GOOD"]
    assert "probe HAVE_MISSING: no" in (tmp_path / "log").read_text()


def test_the_checks_are_configures(tmp_path):
    # configure.ac's PY_CHECK_CURSES_FUNC/VAR names and the readline checks of 3.13 (the defines
    # _cursesmodule.c and readline.c test).
    for name in ["is_pad", "resizeterm", "has_key", "set_escdelay", "ESCDELAY", "TABSIZE"]:
        assert f"HAVE_CURSES_{name.upper() if name.islower() else name}" in build_extra_builtins.CURSES_CHECKS
    assert {"HAVE_RL_COMPLETION_MATCHES", "HAVE_RL_COMPDISP_FUNC_T", "Py_RL_STARTUP_HOOK_TAKES_ARGS"} <= set(build_extra_builtins.READLINE_CHECKS)
    assert build_extra_builtins.READLINE_DEFINES == ["WITH_EDITLINE"]


def test_modules_cpython_already_builds_are_refused(tmp_path, capsys):
    descriptor = DESCRIPTOR | {"extensions": {"readline": {"init": "PyInit_readline", "builtin": True}}}
    (tmp_path / "d.json").write_text(json.dumps(descriptor))
    (tmp_path / "out").mkdir()
    argv = ["--source", str(tmp_path / "none.tgz"), "--distribution", str(tmp_path), "--descriptor", str(tmp_path / "d.json"),
            "--cc", "/bin/true", "--ar", "/bin/true", "--output", str(tmp_path / "out"), "--builtins", str(tmp_path / "b.json"),
            "--log", str(tmp_path / "log")]
    assert build_extra_builtins.main(argv) == 1
    assert "CPython already builds readline in" in capsys.readouterr().err
