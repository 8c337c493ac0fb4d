import hashlib
import json

from pystatic.repository import seed_sources


def _archive(payload, origin="upstream", urls=("https://example.invalid/a.tar.xz",)):
    return {"origin": origin, "urls": list(urls), "sha256": hashlib.sha256(payload).hexdigest()}


def _sources(tmp_path, payloads):
    data = {"_comment": ["x"], "cpython": {}}
    for key, payload in payloads.items():
        payloads = payload if isinstance(payload, list) else [payload]
        archives = [_archive(p, origin="upstream" if i == 0 else f"repack {i}") for i, p in enumerate(payloads)]
        data["cpython"][key] = {"archives": archives}
    path = tmp_path / "sources.json"
    path.write_text(json.dumps(data))
    return path


def test_archive_with_pinned_sha_lands_where_bazel_looks(tmp_path):
    sources = _sources(tmp_path, {"3.13": b"python source"})
    orig = tmp_path / "python3.13_3.13.15.orig.tar.xz"
    orig.write_bytes(b"python source")
    cache = tmp_path / "repo-cache"
    seeded, missing = seed_sources.seed(sources, [orig], cache)
    assert missing == [] and seeded == ["cpython:3.13 <- python3.13_3.13.15.orig.tar.xz (upstream)"]
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


def test_a_verified_alternative_archive_is_used_when_upstream_is_absent(tmp_path):
    sources = _sources(tmp_path, {"zlib": [b"upstream zlib", b"debian repack of zlib"]})
    repack = tmp_path / "zlib_1.3.dfsg.orig.tar.gz"
    repack.write_bytes(b"debian repack of zlib")
    seeded, missing = seed_sources.seed(sources, [repack], tmp_path / "cache")
    assert missing == [] and seeded == ["cpython:zlib <- zlib_1.3.dfsg.orig.tar.gz (repack 1)"]
    sha = hashlib.sha256(b"debian repack of zlib").hexdigest()
    assert seed_sources.cache_path(tmp_path / "cache", sha).read_bytes() == b"debian repack of zlib"


def test_real_sources_json_pins_every_archive():
    import pathlib

    sources = pathlib.Path(__file__).resolve().parents[2] / "distribution" / "toolchains" / "cpython" / "sources.json"
    entries = seed_sources.pinned_sources(sources)
    assert {name for name, _ in entries} >= {"cpython:3.13", "deps:zlib"}
    for name, entry in entries:
        assert entry["version"] and entry["license"] and entry["archives"], name
        assert entry["archives"][0]["urls"], f"{name}: the first (upstream) archive needs urls"
        for archive in entry["archives"]:
            assert len(archive["sha256"]) == 64 and archive["origin"], name


def test_list_debian_prints_the_packages_to_fetch(tmp_path, capsys):
    sources = _sources(tmp_path, {"3.13": b"a", "3.12": b"b"})
    data = json.loads(sources.read_text())
    data["cpython"]["3.13"]["debian"] = "python3.13=3.13.15-1"
    sources.write_text(json.dumps(data))
    assert seed_sources.main(["--sources", str(sources), "--list_debian"]) == 0
    assert capsys.readouterr().out == "python3.13=3.13.15-1\n"


def test_debian_binary_packages_are_listed_per_suite_and_seeded_from_any_pin_file(tmp_path, capsys):
    sources = _sources(tmp_path, {"3.13": b"python source"})
    debs = tmp_path / "debs.json"
    deb = {"debian_binary": "bookworm bolt-19=1:19.1.7-3~deb12u1", "archives": [_archive(b"the deb", urls=())]}
    debs.write_text(json.dumps({"llvm_bolt": {"bolt-19": deb}}))
    assert seed_sources.main(["--sources", str(sources), "--sources", str(debs), "--list_debian_binaries"]) == 0
    assert capsys.readouterr().out == "bookworm bolt-19=1:19.1.7-3~deb12u1\n"
    downloaded = tmp_path / "bolt-19_1%3a19.1.7-3~deb12u1_amd64.deb"
    downloaded.write_bytes(b"the deb")
    cache = tmp_path / "repo-cache"
    seeded, missing = seed_sources.seed([sources, debs], [downloaded], cache)
    assert missing == ["cpython:3.13"] and seeded == [f"llvm_bolt:bolt-19 <- {downloaded.name} (upstream)"]
    assert seed_sources.cache_path(cache, hashlib.sha256(b"the deb").hexdigest()).read_bytes() == b"the deb"
