import io
import json
import zipfile

from pystatic.binary import licenses
from pystatic.format.blob import DATA, METADATA, MODULE, Entry, write_blob


def test_bill_of_materials_from_descriptor_and_dist_info(tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "LICENSE.cpython").write_text("PSF text")
    (dist / "LICENSE.zlib").write_text("zlib text")
    descriptor = {
        "version": 2, "python_version": "3.13.15", "target_triple": "x86_64-linux-musl",
        "licenses": [
            {"component": "cpython", "version": "3.13.15", "license": "PSF-2.0", "file": "LICENSE.cpython"},
            {"component": "zlib", "version": "1.3.2", "license": "Zlib", "file": "LICENSE.zlib", "source_sha256": "ab" * 32},
        ],
    }
    (tmp_path / "d.json").write_text(json.dumps(descriptor))
    blob = write_blob([
        Entry(MODULE, "click", primary=b""),
        Entry(METADATA, "click-8.1.7.dist-info/METADATA", primary=b"Name: click\nVersion: 8.1.7\nLicense-Expression: BSD-3-Clause\n"),
        Entry(METADATA, "click-8.1.7.dist-info/licenses/LICENSE.txt", primary=b"BSD text"),
        Entry(METADATA, "click-8.1.7.dist-info/RECORD", primary=b"..."),
        Entry(METADATA, "old-1.0.dist-info/METADATA", primary=b"Name: old\nVersion: 1.0\nClassifier: License :: OSI Approved :: MIT License\n"),
    ])
    (tmp_path / "b.blob").write_bytes(blob)
    out = tmp_path / "l.json"
    args = ["--target", "//app:bin", "--descriptor", str(tmp_path / "d.json"), "--distribution", str(dist),
            "--blob", str(tmp_path / "b.blob"), "--output", str(out)]
    assert licenses.main(args) == 0
    report = json.loads(out.read_text())
    assert report["binary"] == "//app:bin"
    by_name = {c["component"]: c for c in report["components"]}
    assert by_name["cpython"]["texts"] == {"LICENSE.cpython": "PSF text"}
    assert by_name["zlib"]["source_sha256"] == "ab" * 32 and by_name["zlib"]["origin"] == "distribution"
    assert by_name["click"] == {"component": "click", "version": "8.1.7", "license": "BSD-3-Clause", "origin": "dist-info",
                                "texts": {"licenses/LICENSE.txt": "BSD text"}}
    assert by_name["old"]["license"] == "MIT License"


def test_missing_licence_text_is_an_error_naming_the_target(tmp_path, capsys):
    (tmp_path / "d.json").write_text(json.dumps({"python_version": "3.13.15", "target_triple": "t", "licenses": [
        {"component": "x", "version": "1", "license": "MIT", "file": "LICENSE.x"}]}))
    (tmp_path / "b.blob").write_bytes(write_blob([]))
    args = ["--target", "//app:bin", "--descriptor", str(tmp_path / "d.json"), "--distribution", str(tmp_path),
            "--blob", str(tmp_path / "b.blob"), "--output", str(tmp_path / "o.json")]
    assert licenses.main(args) == 1
    assert "//app:bin: cannot list licences" in capsys.readouterr().err


def test_only_the_libraries_the_binary_links(tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in ("cpython", "zlib", "openssl", "expat", "zstd"):
        (dist / f"LICENSE.{name}").write_text(f"{name} text")
    descriptor = {
        "version": 2, "python_version": "3.13.15", "target_triple": "x86_64-linux-musl",
        "extensions": {"_ssl": {}, "_hashlib": {}, "pyexpat": {}, "zlib": {}, "posix": {}},
        "licenses": [
            {"component": "cpython", "version": "3.13.15", "license": "PSF-2.0", "file": "LICENSE.cpython"},
            {"component": "expat", "version": "bundled", "license": "MIT", "file": "LICENSE.expat"},
            {"component": "zlib", "version": "1.3.2", "license": "Zlib", "file": "LICENSE.zlib", "source_sha256": "ab" * 32},
            {"component": "openssl", "version": "3.5.7", "license": "Apache-2.0", "file": "LICENSE.openssl", "source_sha256": "cd" * 32},
            {"component": "zstd", "version": "1.5.7", "license": "BSD-3-Clause", "file": "LICENSE.zstd", "source_sha256": "ef" * 32},
        ],
    }
    (tmp_path / "d.json").write_text(json.dumps(descriptor))
    (tmp_path / "b.blob").write_bytes(write_blob([Entry(MODULE, "app", primary=b"")]))

    def listed(left_out, *extra):
        (tmp_path / "r.json").write_text(json.dumps({"builtins_left_out": left_out}))
        out = tmp_path / "l.json"
        args = ["--target", "//app:bin", "--descriptor", str(tmp_path / "d.json"), "--distribution", str(dist),
                "--blob", str(tmp_path / "b.blob"), "--report", str(tmp_path / "r.json"), "--output", str(out), *extra]
        assert licenses.main(args) == 0
        return {c["component"] for c in json.loads(out.read_text())["components"]}

    assert listed([]) == {"cpython", "expat", "zlib", "openssl"}
    # hello: no _ssl/_hashlib, no pyexpat; zlib stays (the runtime's crc32), zstd only with compress.
    assert listed(["_ssl", "_hashlib", "pyexpat", "zlib"]) == {"cpython", "zlib"}
    assert listed(["_ssl"]) == {"cpython", "expat", "zlib", "openssl"}  # _hashlib still links libcrypto
    assert listed(["_ssl", "_hashlib"], "--runtime_lib", "zstd") == {"cpython", "expat", "zlib", "zstd"}


def test_extra_builtins_libraries_are_listed_when_their_modules_are_linked(tmp_path):
    dist, extra_dir = tmp_path / "dist", tmp_path / "extra"
    dist.mkdir()
    extra_dir.mkdir()
    (dist / "LICENSE.cpython").write_text("PSF text")
    (extra_dir / "LICENSE.ncurses").write_text("ncurses text")
    (extra_dir / "LICENSE.libedit").write_text("libedit text")
    descriptor = {"version": 2, "python_version": "3.13.15", "target_triple": "x86_64-linux-musl",
                  "link": {"archives": []}, "extensions": {"posix": {}}, "extensions_left_out": {},
                  "licenses": [{"component": "cpython", "version": "3.13.15", "license": "PSF-2.0", "file": "LICENSE.cpython"}]}
    (tmp_path / "d.json").write_text(json.dumps(descriptor))
    (tmp_path / "x.json").write_text(json.dumps({"version": 1, "archives": [], "modules": {
        "_curses": {"init": "PyInit__curses"}, "readline": {"init": "PyInit_readline"}}, "licenses": [
        {"component": "ncurses", "version": "6.6", "license": "X11-distribute-modifications-variant", "file": "LICENSE.ncurses",
         "source_sha256": "ab" * 32},
        {"component": "libedit", "version": "3.1", "license": "BSD-3-Clause", "file": "LICENSE.libedit", "source_sha256": "cd" * 32}]}))
    (tmp_path / "b.blob").write_bytes(write_blob([Entry(MODULE, "app", primary=b"")]))

    def listed(left_out):
        (tmp_path / "r.json").write_text(json.dumps({"builtins_left_out": left_out}))
        out = tmp_path / "l.json"
        args = ["--target", "//app:bin", "--descriptor", str(tmp_path / "d.json"), "--distribution", str(dist),
                "--blob", str(tmp_path / "b.blob"), "--report", str(tmp_path / "r.json"), "--output", str(out),
                "--extra_builtins", str(tmp_path / "x.json"), "--extra_builtins_dir", str(extra_dir)]
        assert licenses.main(args) == 0
        return {c["component"]: c["texts"] for c in json.loads(out.read_text())["components"]}

    assert listed([]) == {"cpython": {"LICENSE.cpython": "PSF text"}, "ncurses": {"LICENSE.ncurses": "ncurses text"},
                          "libedit": {"LICENSE.libedit": "libedit text"}}
    assert set(listed(["readline"])) == {"cpython", "ncurses"}  # _curses links ncurses alone
    assert set(listed(["readline", "_curses"])) == {"cpython"}


def test_the_pip_wheel_ensurepip_bundles_with_its_vendored_licences(tmp_path):
    """An interpreter embeds ensurepip's pip wheel: its licence and licence files come from the wheel's .dist-info."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (tmp_path / "d.json").write_text(json.dumps({"version": 2, "python_version": "3.13.15", "target_triple": "x86_64-linux-musl",
                                                 "licenses": []}))
    wheel = io.BytesIO()
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pip/__init__.py", "")
        archive.writestr("pip-26.2.1.dist-info/METADATA", "Name: pip\nVersion: 26.2.1\nLicense-Expression: MIT\n")
        archive.writestr("pip-26.2.1.dist-info/licenses/LICENSE.txt", "MIT text")
        archive.writestr("pip-26.2.1.dist-info/licenses/src/pip/_vendor/certifi/LICENSE", "MPL text")
    (tmp_path / "b.blob").write_bytes(write_blob([
        Entry(MODULE, "ensurepip", primary=b"", is_package=True),
        Entry(DATA, "ensurepip/_bundled/pip-26.2.1-py3-none-any.whl", primary=wheel.getvalue()),
    ]))
    out = tmp_path / "l.json"
    assert licenses.main(["--target", "//examples/python", "--descriptor", str(tmp_path / "d.json"), "--distribution",
                          str(dist), "--blob", str(tmp_path / "b.blob"), "--output", str(out)]) == 0
    assert json.loads(out.read_text())["components"] == [{
        "component": "pip", "version": "26.2.1", "license": "MIT", "origin": "wheel ensurepip/_bundled/pip-26.2.1-py3-none-any.whl",
        "texts": {"licenses/LICENSE.txt": "MIT text", "licenses/src/pip/_vendor/certifi/LICENSE": "MPL text"}}]
