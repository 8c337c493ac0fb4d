import json

import pytest

from pystatic.binary import resource_manifest
from pystatic.binary.resource_manifest import ManifestError, build_manifest, classify
from pystatic.common.action_args import expand_param_files


@pytest.mark.parametrize(
    "rel, expected",
    [
        ("pkg/__init__.py", ("package", "pkg")),
        ("pkg/sub/mod.py", ("module", "pkg.sub.mod")),
        ("top.py", ("module", "top")),
        ("pkg/data/greeting.txt", ("data", "pkg/data/greeting.txt")),
        ("my-pkg/mod.py", ("invalid", "my-pkg/mod.py")),
        ("__init__.py", ("invalid", "__init__.py")),
        # importlib.import_module loads stems that are not identifiers (rich's unicode tables).
        ("pkg/unicode10-0-0.py", ("module", "pkg.unicode10-0-0")),
        ("pkg/a.b.py", ("invalid", "pkg/a.b.py")),
    ],
)
def test_classify(rel, expected):
    assert classify(rel) == expected
    assert classify(rel, is_data=True) == (("data", rel) if expected[0] == "invalid" else expected)


def test_longest_import_root_wins_and_output_is_sorted():
    manifest = build_manifest(
        "//app:app",
        ["", "app/src"],
        [
            ("app/src/zeta.py", "x/app/src/zeta.py"),
            ("app/src/alpha/__init__.py", "x/app/src/alpha/__init__.py"),
            ("app/src/alpha/res.json", "x/app/src/alpha/res.json"),
            ("lib/util.py", "x/lib/util.py"),
        ],
    )
    names = [(r["kind"], r["name"]) for r in manifest["resources"]]
    assert names == [
        ("package", "alpha"),
        ("module", "lib.util"),
        ("module", "zeta"),
        ("data", "alpha/res.json"),
    ]
    assert manifest["version"] == resource_manifest.MANIFEST_VERSION


def test_name_clash_names_both_files_and_the_fix():
    with pytest.raises(ManifestError) as err:
        build_manifest(
            "//app:app",
            ["", "app", "lib"],
            [("app/util.py", "app/util.py"), ("lib/util.py", "lib/util.py")],
        )
    message = str(err.value)
    assert "//app:app" in message and "app/util.py" in message and "lib/util.py" in message
    assert "'util'" in message and "Fix:" in message


def test_identical_files_of_one_name_are_one_resource(tmp_path):
    # A pkgutil-style namespace package: each wheel ships the same __init__.py (dbt-core, dbt-adapters).
    init = "from pkgutil import extend_path\n\n__path__ = extend_path(__path__, __name__)\n"
    for wheel in ("core", "adapters"):
        (tmp_path / wheel / "dbt" / "include").mkdir(parents=True)
        (tmp_path / wheel / "dbt" / "include" / "__init__.py").write_text(init)
    sources = [(f"{w}/dbt/include/__init__.py", str(tmp_path / w / "dbt" / "include" / "__init__.py")) for w in ("core", "adapters")]
    manifest = build_manifest("//app:app", ["core", "adapters"], sources)
    assert [(r["kind"], r["name"], r["path"]) for r in manifest["resources"]] == [("package", "dbt.include", sources[0][1])]
    (tmp_path / "adapters" / "dbt" / "include" / "__init__.py").write_text(init + "VERSION = 2\n")
    with pytest.raises(ManifestError, match="both map to the package name 'dbt.include' and differ"):
        build_manifest("//app:app", ["core", "adapters"], sources)


def test_a_package_shadows_the_module_of_its_name():
    # As importlib's FileFinder, which finds util/__init__.py before util.py (click-plugins 1.1.1.2
    # ships click_plugins.py beside click_plugins/): the module stays a file of the tree.
    for sources in ([("util.py", "util.py"), ("util/__init__.py", "util/__init__.py")],
                    [("util/__init__.py", "util/__init__.py"), ("util.py", "util.py")]):
        manifest = build_manifest("//a:a", [""], sources)
        assert [(r["kind"], r["name"], r["path"]) for r in manifest["resources"]] == [
            ("package", "util", "util/__init__.py"), ("data", "util.py", "util.py")]
    # Under two import roots, which one python3 finds depends on sys.path's order: still an error.
    with pytest.raises(ManifestError, match="'util'"):
        build_manifest("//a:a", ["a", "b"], [("a/util.py", "a/util.py"), ("b/util/__init__.py", "b/util/__init__.py")])


def test_file_outside_every_import_root():
    with pytest.raises(ManifestError, match=r"//a:a: other/x.py is outside every import root"):
        build_manifest("//a:a", ["app"], [("other/x.py", "other/x.py")])


def test_unimportable_path_is_an_error():
    with pytest.raises(ManifestError, match="not a dotted path"):
        build_manifest("//a:a", [""], [("my-app/main.py", "my-app/main.py")])


def test_a_data_file_no_import_names_stays_data_and_an_importable_one_is_code():
    # A wheel's `.py` file under a directory with a hyphen (mypy's mypyc/lib-rt/build_setup.py) is
    # only a file once installed; a `.py` data file an import can name is importable, as in runfiles.
    manifest = build_manifest(
        "//a:a",
        ["_whl/w"],
        [("_whl/w/mypyc/__init__.py", "x/_whl/w/mypyc/__init__.py")],
        [("_whl/w/mypyc/lib-rt/build_setup.py", "x/_whl/w/mypyc/lib-rt/build_setup.py"),
         ("_whl/w/mypyc/extra.py", "x/_whl/w/mypyc/extra.py"),
         ("_whl/w/mypyc/a.b.py", "x/_whl/w/mypyc/a.b.py")],
    )
    assert [(r["kind"], r["name"]) for r in manifest["resources"]] == [
        ("package", "mypyc"),
        ("module", "mypyc.extra"),
        ("data", "mypyc/a.b.py"),
        ("data", "mypyc/lib-rt/build_setup.py"),
    ]
    # Among sources the same path still fails the build, with the fix.
    with pytest.raises(ManifestError, match="mypyc/lib-rt/build_setup.py' is not a dotted path"):
        build_manifest("//a:a", ["_whl/w"], [("_whl/w/mypyc/lib-rt/build_setup.py", "p")])


def test_param_file_keeps_labels_verbatim(tmp_path):
    params = tmp_path / "args.params"
    params.write_text("--target\n@//app:main\n--output\nout.json\n")
    assert expand_param_files([f"@{params}"]) == ["--target", "@//app:main", "--output", "out.json"]


def test_main_writes_manifest_and_reports_errors(tmp_path, capsys):
    out = tmp_path / "m.json"
    params = tmp_path / "p.params"
    params.write_text(f"--target\n@@//app:app\n--output\n{out}\n--import_root\n\n--src\na/b.py\nx/a/b.py\n")
    assert resource_manifest.main([f"@{params}"]) == 0
    data = json.loads(out.read_text())
    assert data["resources"] == [{"kind": "module", "name": "a.b", "path": "x/a/b.py"}]

    params.write_text(f"--target\n@@//app:app\n--output\n{out}\n--import_root\n\n--data\na-b/c.py\nx/a-b/c.py\n")
    assert resource_manifest.main([f"@{params}"]) == 0
    assert json.loads(out.read_text())["resources"] == [{"kind": "data", "name": "a-b/c.py", "path": "x/a-b/c.py"}]

    params.write_text(f"--target\n//app:app\n--output\n{out}\n--import_root\nlib\n--src\na/b.py\na/b.py\n")
    assert resource_manifest.main([f"@{params}"]) == 1
    assert "error: //app:app: a/b.py is outside every import root" in capsys.readouterr().err
