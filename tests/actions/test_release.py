"""dev/release: the release archive is deterministic, ships both modules and nothing they refer to is left out."""

import gzip
import io
import re
import tarfile

import pytest

import dev_scripts
from conftest import ROOT


release = dev_scripts.load("release")


def test_the_same_tree_gives_the_same_bytes(tmp_path):
    first, _, sri, _ = release.release("9.9.9", tmp_path / "a")
    second, _, sri_again, _ = release.release("9.9.9", tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    assert sri == sri_again == release.integrity(first.read_bytes())


def test_entries_are_sorted_with_fixed_times_and_owners_and_gzip_has_no_timestamp(tmp_path):
    archive, _, _, _ = release.release("9.9.9", tmp_path)
    data = archive.read_bytes()
    assert data[4:8] == b"\0\0\0\0", "gzip header mtime"
    assert not data[3] & 0x08, "gzip header has a file name"
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(release.MTIME, 0, 0, "", "")}
    assert {m.mode for m in members if m.isfile()} <= {0o644, 0o755}


def test_both_modules_are_shipped_and_the_developers_files_are_not():
    files = release.shipped_files()
    assert "MODULE.bazel" in files and "distribution/MODULE.bazel" in files
    assert "rules/defs.bzl" in files and "distribution/toolchains/targets.bzl" in files
    assert not [f for f in files if f.split("/", 1)[0] in release.EXCLUDED]


# A label into a left-out directory, as shipped Starlark would write it (not @bazel_tools//tools/...).
_EXCLUDED_LABEL = re.compile(r"""(?<![\w@~.-])(?:@rules_pystatic)?//(%s)\b""" % "|".join(
    re.escape(name) for name in release.EXCLUDED if not name.startswith(".")))


def test_nothing_shipped_refers_to_what_is_left_out():
    """BUILD and .bzl files of both modules load and reference only shipped packages. MODULE.bazel and
    WORKSPACE name the examples' and tests' locks only as the root module (dev dependencies), which a
    module used by another ignores."""
    offending = []
    for name in release.shipped_files():
        base = name.rsplit("/", 1)[-1]
        if not (base in ("BUILD", "BUILD.bazel") or base.endswith(".bzl")):
            continue
        for number, line in enumerate((ROOT / name).read_text().splitlines(), 1):
            if _EXCLUDED_LABEL.search(line.split("#", 1)[0]):
                offending.append(f"{name}:{number}: {line.strip()}")
    assert not offending, "shipped files refer to paths dev/release leaves out:\n" + "\n".join(offending)
    module = (ROOT / "MODULE.bazel").read_text()
    for match in _EXCLUDED_LABEL.finditer(module):
        proxy = re.findall(r"^(\w+)\.wheels\($", module[:match.start()], re.M)[-1]
        assert re.search(rf"^{proxy} = use_extension\(.*dev_dependency = True\)$", module, re.M), match.group(0)


def test_the_snippet_is_readmes_block_filled_in():
    readme = (ROOT / "README.md").read_text()
    snippet = release.module_snippet(readme, "file:///x.tar.gz", "sha256-abc=", "rules_pystatic-1.0")
    assert 'strip_prefix = "rules_pystatic-1.0/distribution"' in snippet
    assert 'integrity = "sha256-abc="' in snippet and "RELEASE_" not in snippet
    with pytest.raises(ValueError, match="Fix:"):
        release.module_snippet("no block here", "u", "i", "p")
