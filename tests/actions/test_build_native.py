"""build_native.py: the native libraries of packages built from sdists (sources.json `native`)."""

import json
import pathlib

from pystatic.distribution import build_dep
from pystatic.packages import build_native

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = json.loads((ROOT / "distribution" / "toolchains" / "cpython" / "sources.json").read_text())


def test_every_native_library_has_a_recipe_and_back_and_is_declared():
    assert sorted(SOURCES["native"]) == sorted(build_native.RECIPES)
    module = (ROOT / "MODULE.bazel").read_text()
    workspace = (ROOT / "rules" / "repositories.bzl").read_text()
    for lib in SOURCES["native"]:
        assert f'"pystatic_native_{lib}"' in module, f"MODULE.bazel: use_repo(cpython, ...) lacks pystatic_native_{lib}"
    assert f"for lib in {json.dumps(sorted(SOURCES['native']))}:" in workspace


def test_each_row_names_link_names_and_packages():
    for lib, entry in SOURCES["native"].items():
        assert entry["links"] and all(not n.startswith("-l") for n in entry["links"]), lib
        assert entry["packages"] and all(isinstance(env, dict) for env in entry["packages"].values()), lib
        # The archive the row's link names stand for is what the recipe installs.
        assert sorted(f"lib{n}.a" for n in entry["links"]) == sorted(build_native.RECIPES[lib][2]), lib


def test_native_recipes_are_not_in_build_dep_and_main_leaves_its_table_alone(tmp_path, capsys):
    # build_dep.py is an input of every CPython distribution action; its table must stay CPython's.
    assert not set(build_native.RECIPES) & set(build_dep.RECIPES)
    before = dict(build_dep.RECIPES)
    argv = ["--name", "zlib", "--source", str(tmp_path / "x.tar.gz"), "--target", "x86_64-linux-musl", "--cc",
            "/bin/true", "--ar", "/bin/true", "--output", str(tmp_path / "o"), "--log", str(tmp_path / "log")]
    assert build_native.main(argv) == 1
    assert "no recipe for 'zlib'; known: libyaml" in capsys.readouterr().err
    assert build_dep.RECIPES == before


def test_libyaml_bootstraps_a_git_tree_and_installs_only_the_static_library():
    args = type("Args", (), {"jobs": 2, "target": "aarch64-linux-musl", "build_target": "x86_64-linux-musl"})()
    cmds = build_native.RECIPES["libyaml"][1](args)
    assert cmds[0] == ["sh", "-c", "test -x configure || autoreconf -fi"]
    assert "--host=aarch64-linux-musl" in cmds[1] and "--build=x86_64-linux-musl" in cmds[1]
    assert "--disable-shared" in cmds[1] and "--enable-static" in cmds[1]
