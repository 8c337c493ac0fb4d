import hashlib
import json

from pystatic import seed_sources


def _sources(tmp_path, payloads):
    data = {"_comment": "x", "cpython": {}}
    for key, payload in payloads.items():
        data["cpython"][key] = {"sha256": hashlib.sha256(payload).hexdigest(), "urls": [f"https://example.invalid/{key}"]}
    path = tmp_path / "sources.json"
    path.write_text(json.dumps(data))
    return path


def test_archive_with_pinned_sha_lands_where_bazel_looks(tmp_path):
    sources = _sources(tmp_path, {"3.13": b"python source"})
    orig = tmp_path / "python3.13_3.13.15.orig.tar.xz"
    orig.write_bytes(b"python source")
    cache = tmp_path / "repo-cache"
    seeded, missing = seed_sources.seed(sources, [orig], cache)
    assert missing == [] and seeded == ["cpython:3.13 <- python3.13_3.13.15.orig.tar.xz"]
    sha = hashlib.sha256(b"python source").hexdigest()
    assert (cache / "content_addressable" / "sha256" / sha / "file").read_bytes() == b"python source"


def test_archive_that_differs_from_upstream_is_not_used(tmp_path, capsys):
    sources = _sources(tmp_path, {"3.13": b"upstream bytes"})
    repack = tmp_path / "repacked.orig.tar.xz"
    repack.write_bytes(b"debian repack")
    cache = tmp_path / "repo-cache"
    assert seed_sources.main(["--sources", str(sources), "--repository_cache", str(cache), str(repack)]) == 1
    assert "no archive with the pinned sha256 of cpython:3.13" in capsys.readouterr().err
    assert not (cache / "content_addressable").exists()


def test_real_sources_json_pins_every_entry():
    import pathlib

    sources = pathlib.Path(__file__).resolve().parents[2] / "toolchains" / "cpython" / "sources.json"
    for name, entry in seed_sources.pinned_sources(sources):
        assert len(entry["sha256"]) == 64, name
        assert entry["urls"] and entry["version"] and entry["strip_prefix"], name
