"""build_extra_dep.py: ncurses (with built-in terminal fallbacks) and libedit, the extra built-ins' libraries."""

import json
import pathlib

import pytest

from pystatic.distribution import build_dep, build_extra_dep
from pystatic.packages import build_native

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = json.loads((ROOT / "distribution" / "toolchains" / "cpython" / "sources.json").read_text())


def args(**kw):
    values = {"jobs": 2, "target": "aarch64-linux-musl", "build_target": "x86_64-linux-musl", "cc_abs": "/w/tools/cc",
              "build_cc_abs": "/w/tools/build-cc", "with_prefix": {}}
    return type("Args", (), values | kw)()


def test_every_extra_library_has_a_recipe_and_back_and_is_declared():
    assert sorted(SOURCES["extra_builtins"]) == sorted(build_extra_dep.RECIPES)
    module = (ROOT / "distribution" / "MODULE.bazel").read_text()
    workspace = (ROOT / "rules" / "repositories.bzl").read_text()
    for lib in SOURCES["extra_builtins"]:
        assert f'"pystatic_extra_{lib}"' in module, f"distribution/MODULE.bazel: use_repo(cpython, ...) lacks pystatic_extra_{lib}"
    assert f"for lib in {json.dumps(sorted(SOURCES['extra_builtins']))}:" in workspace


def test_recipes_stay_out_of_build_dep_so_cpython_keeps_its_action_key():
    # build_dep.py is an input of every CPython build: its table must stay CPython's own.
    assert not set(build_extra_dep.RECIPES) & (set(build_dep.RECIPES) | set(build_native.RECIPES))


def test_ncurses_builds_tic_for_the_build_machine_with_zig_then_the_fallbacks():
    cmds = build_extra_dep.RECIPES["ncurses"][1](args())
    text = [" ".join(c) for c in cmds]
    stage1 = next(t for t in text if "../configure" in t)
    # The build machine's tic and infocmp come from the exec platform's zig, never the host's cc.
    assert "CC=/w/tools/build-cc" in stage1 and "--with-progs" in stage1
    stage2 = next(t for t in text if "./configure" in t and "../configure" not in t)
    assert "--host=aarch64-linux-musl" in stage2 and "--build=x86_64-linux-musl" in stage2
    assert "--with-build-cc=/w/tools/build-cc" in stage2
    assert '--with-tic-path="$PWD/build-tic/progs"/tic' in stage2
    fallbacks = stage2.split("--with-fallbacks=")[1].split()[0]
    for term in ["xterm-256color", "xterm", "screen", "screen-256color", "tmux", "tmux-256color", "linux", "vt100", "dumb"]:
        assert term in fallbacks.strip("'").split(","), term
    assert "--with-terminfo-dirs=/etc/terminfo:/lib/terminfo:/usr/share/terminfo" in stage2
    # Root honours TERMINFO whatever the build machine's /etc/passwd says.
    assert "cf_cv_multiuser=yes" in stage2 and "--enable-root-environ" in stage2
    # Both stages agree on what shapes a compiled entry (wide characters).
    for flag in build_extra_dep._NCURSES_COMMON:
        assert flag in stage1 and flag in stage2, flag
    # x86_64: no --build-cc; the target's own zig cc runs on the build machine.
    native = " ".join(" ".join(c) for c in build_extra_dep.RECIPES["ncurses"][1](args(build_cc_abs=None, build_target=None)))
    assert "CC=/w/tools/cc" in native and "--with-build-cc=/w/tools/cc" in native


def test_libedit_needs_ncurses_and_links_its_wide_library():
    with pytest.raises(build_extra_dep.dep_builder.BuildError, match="--with ncurses PREFIX is missing"):
        build_extra_dep.RECIPES["libedit"][1](args())
    cmds = build_extra_dep.RECIPES["libedit"][1](args(with_prefix={"ncurses": "/p/ncurses"}))
    assert ["ln", "-s", "/p/ncurses/lib/libncursesw.a", "ncurses-lib/libncurses.a"] in cmds
    configure = next(" ".join(c) for c in cmds if "./configure" in " ".join(c))
    assert "-D__STDC_ISO_10646__=201706L" in configure and "--disable-shared" in configure


def test_split_with_takes_the_dependency_prefixes_out_of_the_arguments():
    rest, prefixes = build_extra_dep.split_with(["--name", "libedit", "--with", "ncurses", "/p", "--jobs", "2"])
    assert rest == ["--name", "libedit", "--jobs", "2"] and prefixes == {"ncurses": "/p"}
    with pytest.raises(SystemExit):
        build_extra_dep.split_with(["--with", "ncurses"])
