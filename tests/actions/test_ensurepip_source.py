"""runtime_toolchain/ensurepip_source.py: Lib/ensurepip out of a CPython source archive."""

import io
import tarfile

from pystatic.runtime_toolchain import ensurepip_source


def archive(path, files, mode="w:xz"):
    with tarfile.open(path, mode) as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


CPYTHON = {
    "Python-3.13.15/Lib/ensurepip/__init__.py": b"_PIP_VERSION = '26.2.1'\n",
    "Python-3.13.15/Lib/ensurepip/__main__.py": b"import ensurepip\n",
    "Python-3.13.15/Lib/ensurepip/_bundled/pip-26.2.1-py3-none-any.whl": b"PK\x05\x06" + bytes(18),
    "Python-3.13.15/Lib/ensurepip/__pycache__/__init__.cpython-313.pyc": b"stale",
    "Python-3.13.15/Lib/venv/__init__.py": b"",
    "Python-3.13.15/Tools/ensurepip/x.py": b"",
}


def test_extracts_the_package_and_its_wheel_only(tmp_path):
    out = tmp_path / "out"
    written = ensurepip_source.extract(archive(tmp_path / "Python-3.13.15.tar.xz", CPYTHON), out)
    assert written == ["ensurepip/__init__.py", "ensurepip/__main__.py", "ensurepip/_bundled/pip-26.2.1-py3-none-any.whl"]
    assert (out / "ensurepip" / "_bundled" / "pip-26.2.1-py3-none-any.whl").read_bytes()[:4] == b"PK\x05\x06"
    assert sorted(p.name for p in out.iterdir()) == ["ensurepip"]


def test_an_archive_without_ensurepip_or_its_wheel_is_an_error_naming_it(tmp_path, capsys):
    no_package = archive(tmp_path / "other-1.0.tgz", {"other-1.0/setup.py": b""}, mode="w:gz")
    assert ensurepip_source.main(["--source", str(no_package), "--output", str(tmp_path / "a")]) == 1
    assert "other-1.0.tgz has no Lib/ensurepip/__init__.py" in capsys.readouterr().err
    no_wheel = archive(tmp_path / "Python-3.13.0.tar.xz", {k: v for k, v in CPYTHON.items() if not k.endswith(".whl")})
    assert ensurepip_source.main(["--source", str(no_wheel), "--output", str(tmp_path / "b")]) == 1
    assert "Lib/ensurepip/_bundled holds 0 pip wheels (none), ensurepip needs exactly one" in capsys.readouterr().err
    (tmp_path / "broken.tar.xz").write_bytes(b"not an archive")
    assert ensurepip_source.main(["--source", str(tmp_path / "broken.tar.xz"), "--output", str(tmp_path / "c")]) == 1
    assert "broken.tar.xz: cannot read the CPython source archive" in capsys.readouterr().err
