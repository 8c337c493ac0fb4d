import io
import json
import pathlib
import re
import shutil
import tarfile

import pytest

from pystatic.distribution import build_dep, configure_make, dep_builder

SOURCES_JSON = pathlib.Path(__file__).resolve().parents[2] / "distribution" / "toolchains" / "cpython" / "sources.json"


def _argv(tmp_path, name, source):
    return ["--name", name, "--source", str(source), "--target", "x86_64-linux-musl", "--cc", "/bin/true",
            "--ar", "/bin/true", "--output", str(tmp_path / "o"), "--log", str(tmp_path / "log")]


def _recipe(name, **extra):
    args = type("Args", (), {"jobs": 2, "target": "x86_64-linux-musl", "cc_abs": "/w/tools/cc", "ar_abs": "/w/tools/ar",
                             "stage": "/w/stage", "build_target": None, "build_cc_abs": None, "openssl_target": None,
                             **extra})()
    return build_dep.RECIPES[name][1](args)


def test_unknown_library_names_the_known_recipes(tmp_path, capsys):
    assert build_dep.main(_argv(tmp_path, "libfoo", "x.tar.gz")) == 1
    assert "no recipe for 'libfoo'; known: bzip2, libffi, libuuid, openssl, sqlite3, xz, zlib, zstd" in capsys.readouterr().err


def test_every_pinned_dependency_has_a_recipe_and_back():
    assert sorted(json.loads(SOURCES_JSON.read_text())["deps"]) == sorted(build_dep.RECIPES)


def test_corrupt_source_archive_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "zlib.tar.gz"
    bad.write_bytes(b"\x1f\x8b truncated")
    assert build_dep.main(_argv(tmp_path, "zlib", bad)) == 1
    assert "not a readable source archive" in capsys.readouterr().err


def test_sqlite3_needs_no_tclsh_and_builds_only_the_static_library():
    cmds = _recipe("sqlite3")
    # jimsh0 (autosetup's bundled Tcl) exists before configure looks for a tclsh.
    assert "jimsh0.c" in " ".join(cmds[0]) and cmds[1][0] == "./configure"
    configure = cmds[1]
    for flag in ("--disable-shared", "--disable-tcl", "--disable-readline", "--disable-load-extension", "--fts5", "--rtree"):
        assert flag in configure
    assert cmds[2][-1] == "libsqlite3.a" and "install-lib" in cmds[3] and "install-pc" in cmds[3]


def test_libuuid_builds_no_util_linux_programs():
    configure, make, install = _recipe("libuuid")
    assert {"--disable-all-programs", "--enable-libuuid", "--disable-shared", "--without-readline"} <= set(configure)
    assert make[-1] == "libuuid.la" and "install-uuidincHEADERS" in install


def test_cross_builds_give_autoconf_the_build_triple_and_sqlite_a_build_machine_cc():
    cross = {"target": "aarch64-linux-musl", "build_target": "x86_64-linux-musl", "build_cc_abs": "/w/tools/build-cc",
             "openssl_target": "linux-aarch64"}
    jimsh, configure = _recipe("sqlite3", **cross)[:2]
    # jimsh0, lemon and mkkeywordhash run during the build: the build machine's compiler.
    assert '"/w/tools/build-cc"' in jimsh[-1] and "CC_FOR_BUILD=/w/tools/build-cc" in configure
    assert {"--host=aarch64-linux-musl", "--build=x86_64-linux-musl"} <= set(configure)
    for name in ("xz", "libffi", "libuuid"):
        configure = next(c for c in _recipe(name, **cross) if c[0] == "./configure")
        assert {"--host=aarch64-linux-musl", "--build=x86_64-linux-musl"} <= set(configure), name
    assert _recipe("openssl", **cross)[0][2] == "linux-aarch64"
    # Native: no --build (autoconf finds that the build machine runs the programs), target cc for jimsh0.
    jimsh, configure = _recipe("sqlite3")[:2]
    assert '"/w/tools/cc"' in jimsh[-1] and "CC_FOR_BUILD=/w/tools/cc" in configure
    assert not any(a.startswith("--build=") for a in configure)


def test_zstd_uses_the_toolchain_through_make_variables():
    build, install = _recipe("zstd")
    assert build[:3] == ["make", "-C", "lib"] and "CC=/w/tools/cc" in build and "AR=/w/tools/ar" in build
    assert build[-1] == "libzstd.a" and {"install-static", "install-includes"} <= set(install)


def test_license_text_concatenates_files_and_takes_a_headers_leading_comment(tmp_path):
    (tmp_path / "COPYING").write_text("Modified BSD License.\n")
    (tmp_path / "uuid.h").write_text("/*\n * Copyright (C) 1996 Theodore Ts'o.\n */\n#include <x.h>\n")
    text = dep_builder.license_text(tmp_path, ["COPYING", "uuid.h"])
    assert text == "==> COPYING <==\nModified BSD License.\n\n==> uuid.h <==\n/*\n * Copyright (C) 1996 Theodore Ts'o.\n */\n"
    assert dep_builder.license_text(tmp_path, ["COPYING"]) == "Modified BSD License.\n"
    (tmp_path / "bare.h").write_text("#include <x.h>\n")
    with pytest.raises(dep_builder.BuildError, match="no leading comment"):
        dep_builder.license_text(tmp_path, ["bare.h"])


FAKE_ZSTD_MAKEFILE = """\
libzstd.a:
\tprintf '!<arch>\\n' > libzstd.a
install-static:
\tmkdir -p $(DESTDIR)$(prefix)/lib && cp libzstd.a $(DESTDIR)$(prefix)/lib/
install-includes:
\tmkdir -p $(DESTDIR)$(prefix)/include && touch $(DESTDIR)$(prefix)/include/zstd.h
install-pc:
\tmkdir -p $(DESTDIR)$(prefix)/lib/pkgconfig && echo 'prefix=$(prefix)' > $(DESTDIR)$(prefix)/lib/pkgconfig/libzstd.pc
"""


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_build_installs_prefix_licence_and_link_order(tmp_path):
    source = tmp_path / "zstd-1.5.7.tar.gz"
    with tarfile.open(source, "w:gz") as tar:
        for name, text in {"zstd-1.5.7/lib/Makefile": FAKE_ZSTD_MAKEFILE, "zstd-1.5.7/LICENSE": "BSD License\n"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))
    (tmp_path / "o").mkdir()
    assert build_dep.main(_argv(tmp_path, "zstd", source)) == 0, (tmp_path / "log").read_text()
    out = tmp_path / "o"
    assert (out / "lib" / "libzstd.a").read_bytes() == b"!<arch>\n" and (out / "include" / "zstd.h").is_file()
    assert (out / "lib" / "ARCHIVES").read_text() == "libzstd.a\n"
    assert (out / "LICENSE.zstd").read_text() == "BSD License\n"
    assert (out / "lib" / "pkgconfig" / "libzstd.pc").read_text() == "prefix=/pystatic-deps\n"


def test_pkg_config_paths_follow_the_prefix_line():
    uuid_pc = "prefix=/pystatic-deps\nexec_prefix=/pystatic-deps\nlibdir=/pystatic-deps/lib\nCflags: -I/pystatic-deps/include/uuid\n"
    assert dep_builder.relocatable_pc(uuid_pc) == (
        "prefix=/pystatic-deps\nexec_prefix=${prefix}\nlibdir=${prefix}/lib\nCflags: -I${prefix}/include/uuid\n"
    )
    assert dep_builder.relocatable_pc("prefix=/pystatic-deps\nx=/pystatic-deps-other\n") == "prefix=/pystatic-deps\nx=/pystatic-deps-other\n"


def test_every_pinned_dependency_is_declared_for_bzlmod_and_workspace():
    distribution, root = SOURCES_JSON.parents[2], SOURCES_JSON.parents[3]
    deps = json.loads(SOURCES_JSON.read_text())["deps"]
    # The module that builds them imports their repositories.
    module = (distribution / "MODULE.bazel").read_text()
    workspace = (root / "rules" / "repositories.bzl").read_text()
    for dep in deps:
        assert f'"pystatic_dep_{dep}"' in module, f"distribution/MODULE.bazel: use_repo(cpython, ...) lacks pystatic_dep_{dep}"
    assert f"for dep in {json.dumps(sorted(deps))}:" in workspace, (
        "rules/repositories.bzl: the WORKSPACE list of dependencies differs from sources.json"
    )


def test_the_toolchains_c_compiles_drop_unwind_tables_like_the_distribution():
    """The no-unwind-tables flags are written twice: in configure_make.py for the distribution and in
    the zig toolchain's c_compile flag set for what a binary compiles itself (runtime, extensions)."""
    bzl = (pathlib.Path(__file__).resolve().parents[2] / "distribution" / "toolchains" / "zig" / "cc_toolchain_config.bzl").read_text()
    c_compile = re.search(r"_flags\(\[ACTION_NAMES\.c_compile\], \[([^\]]*)\]\)", bzl)
    assert c_compile, "cc_toolchain_config.bzl: no flag set for ACTION_NAMES.c_compile alone"
    assert re.findall(r'"([^"]+)"', c_compile.group(1)) == list(configure_make.NO_UNWIND_TABLES)
    # Libraries get them too, and the C++ compiles of the toolchain keep their tables (exceptions).
    assert all(flag in dep_builder.CFLAGS.split() for flag in configure_make.NO_UNWIND_TABLES)
    assert "-fno-unwind-tables" not in re.sub(r"_flags\(\[ACTION_NAMES\.c_compile\][^)]*\)", "", bzl)


def test_openssl_takes_its_configure_target_from_the_target_row():
    """The rule passes --openssl_target (the row's openssl_target): no copy of the table here."""
    assert _recipe("openssl", openssl_target="linux-x86_64")[0][:3] == ["perl", "./Configure", "linux-x86_64"]
    with pytest.raises(configure_make.BuildError, match="no OpenSSL Configure target for x86_64-linux-musl"):
        _recipe("openssl")
