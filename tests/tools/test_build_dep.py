from pystatic import build_dep


def test_unknown_library_names_the_known_recipes(tmp_path, capsys):
    log = tmp_path / "log"
    argv = ["--name", "libfoo", "--source", "x.tar.gz", "--target", "x86_64-linux-musl", "--cc", "cc", "--ar", "ar", "--output", str(tmp_path / "o"), "--log", str(log)]
    assert build_dep.main(argv) == 1
    assert "no recipe for 'libfoo'; known: bzip2, libffi, openssl, xz, zlib" in capsys.readouterr().err


def test_corrupt_source_archive_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "zlib.tar.gz"
    bad.write_bytes(b"\x1f\x8b truncated")
    argv = ["--name", "zlib", "--source", str(bad), "--target", "x86_64-linux-musl", "--cc", "cc", "--ar", "ar", "--output", str(tmp_path / "o"), "--log", str(tmp_path / "log")]
    assert build_dep.main(argv) == 1
    assert "not a readable source archive" in capsys.readouterr().err
