import os

from pystatic.distribution import configure_make


def test_scratch_dir_depends_only_on_the_output_path(tmp_path, monkeypatch):
    monkeypatch.setattr(configure_make.tempfile, "tempdir", str(tmp_path))
    first = configure_make.scratch_dir("bazel-out/k8/bin/pkg/cpython_dist")
    (first / "leftover").write_text("x")
    again = configure_make.scratch_dir("bazel-out/k8/bin/pkg/cpython_dist")
    other = configure_make.scratch_dir("bazel-out/k8/bin/pkg/zlib_prefix")
    assert first == again and not (again / "leftover").exists()
    assert other != first


def test_build_env_reaches_tools_through_stable_links(tmp_path):
    cc = tmp_path / "output_base" / "external" / "zig" / "bin" / "cc-x86_64-linux-musl"
    cc.parent.mkdir(parents=True)
    cc.write_text("#!/bin/sh\n")
    work = tmp_path / "work"
    work.mkdir()
    env = configure_make.build_env(work, cc, cc, CFLAGS="-O2")
    assert env["CC"] == str(work / "tools" / "cc") and os.path.realpath(env["CC"]) == str(cc)
    assert "output_base" not in env["CC"] + env["AR"]
    assert (env["CFLAGS"], env["SOURCE_DATE_EPOCH"], env["HOME"]) == ("-O2", "0", str(work))
