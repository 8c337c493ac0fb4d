import io
import json
import struct
import tarfile
import zipfile

import pytest

from pystatic.distribution import build_cpython
from pystatic.distribution import lto
from pystatic.distribution import pgo
from pystatic.distribution.source_archive import ArchiveError, extract_source


def _tar(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_module_states_from_makefile():
    makefile = "MODULE__SSL_STATE=missing\nMODULE_ZLIB_STATE=yes\nMODULE__SCPROXY_STATE=n/a\nOTHER=1\n"
    assert build_cpython.module_states(makefile) == {"_ssl": "missing", "zlib": "yes", "_scproxy": "n/a"}


def test_left_out_modules_say_why():
    states = {"zlib": "yes", "readline": "n/a", "_curses": "n/a", "_uuid": "missing", "_scproxy": "n/a"}
    left_out = build_cpython.extensions_left_out(states)
    assert set(left_out) == {"readline", "_curses", "_uuid", "_scproxy"}
    assert "GPL" in left_out["readline"]["reason"] and "ncurses" in left_out["_curses"]["reason"]
    assert left_out["_uuid"]["reason"] == build_cpython.MODULE_STATE_REASONS["missing"]
    assert left_out["_scproxy"] == {"state": "n/a", "reason": "not available on this platform"}


def test_inittab_from_generated_config_c():
    config_c = 'struct _inittab _PyImport_Inittab[] = {\n    {"_abc", PyInit__abc},\n    {"zlib", PyInit_zlib},\n    {0, 0}\n};\n'
    assert build_cpython.inittab(config_c) == [("_abc", "PyInit__abc"), ("zlib", "PyInit_zlib")]


def test_static_fixes_fail_loudly_when_the_source_changed(tmp_path):
    (tmp_path / "Misc").mkdir()
    (tmp_path / "Misc" / "platform_triplet.c").write_text("/* rewritten upstream */\n")
    with pytest.raises(build_cpython.BuildError, match="platform_triplet.c changed"):
        build_cpython.apply_static_fixes(tmp_path, "3.99.0")


def test_static_fixes_apply(tmp_path):
    (tmp_path / "Misc").mkdir()
    (tmp_path / "Lib" / "ctypes").mkdir(parents=True)
    (tmp_path / "Misc" / "platform_triplet.c").write_text("#  include <stdarg.h>\n#  ifdef __DEFINED_va_list\n")
    (tmp_path / "Lib" / "ctypes" / "__init__.py").write_text("if x:\n    pythonapi = PyDLL(None)\n")
    (tmp_path / "configure.ac").write_text("AC_CHECK_FILES([/dev/ptmx], [], [])\n")
    (tmp_path / "configure").write_text("#!/bin/sh\n")
    build_cpython.apply_static_fixes(tmp_path, "3.13.15")
    assert "<stdio.h>" in (tmp_path / "Misc" / "platform_triplet.c").read_text()
    assert "except OSError" in (tmp_path / "Lib" / "ctypes" / "__init__.py").read_text()


def test_stage_deps_points_pkg_config_at_the_staging_dir(tmp_path):
    prefix = tmp_path / "zlib_prefix"
    (prefix / "lib" / "pkgconfig").mkdir(parents=True)
    (prefix / "lib" / "libz.a").write_bytes(b"!<arch>\n")
    (prefix / "lib" / "ARCHIVES").write_text("libz.a\n")
    (prefix / "lib" / "pkgconfig" / "zlib.pc").write_text("prefix=/pystatic-deps\nlibdir=${prefix}/lib\n")
    origin = tmp_path / "origin.json"
    origin.write_text(json.dumps({"version": "1.3.2", "license": "Zlib", "sha256": "0" * 64, "origin": "upstream"}))
    root = tmp_path / "deps"
    [(name, meta, archives)] = build_cpython.stage_deps([("zlib", str(prefix), str(origin))], root)
    assert (name, meta["license"], archives) == ("zlib", "Zlib", ["libz.a"])
    assert (root / "lib" / "pkgconfig" / "zlib.pc").read_text().startswith(f"prefix={root}\n")


def test_extract_source_finds_the_single_top_directory(tmp_path):
    archive = _tar(tmp_path / "a.tar.gz", {"zlib-1.3.dfsg/configure": b"#!/bin/sh\n", "zlib-1.3.dfsg/zlib.h": b""})
    assert extract_source(archive, tmp_path / "out").name == "zlib-1.3.dfsg"


def test_extract_source_reads_a_zip_and_keeps_the_executable_bit(tmp_path):
    archive = tmp_path / "sqlite-src-3530400.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        script = zipfile.ZipInfo("sqlite-src-3530400/configure")
        script.external_attr = 0o755 << 16
        zf.writestr(script, "#!/bin/sh\n")
        zf.writestr("sqlite-src-3530400/src/main.c", "")
    top = extract_source(archive, tmp_path / "out")
    assert top.name == "sqlite-src-3530400"
    assert (top / "configure").stat().st_mode & 0o777 == 0o755 and (top / "src" / "main.c").is_file()


def test_extract_source_goes_by_content_not_file_name(tmp_path):
    # A verified repack (Debian's .tar.xz) is stored under the upstream name (.zip).
    archive = _tar(tmp_path / "sqlite-src-3530400.zip", {"sqlite3-3.53.4/configure": b""})
    assert extract_source(archive, tmp_path / "out").name == "sqlite3-3.53.4"


def test_extract_source_rejects_several_tops_and_garbage(tmp_path):
    archive = _tar(tmp_path / "b.tar.gz", {"a/x": b"", "b/y": b""})
    with pytest.raises(ArchiveError, match="one top-level directory"):
        extract_source(archive, tmp_path / "out")
    garbage = tmp_path / "c.tar.gz"
    garbage.write_bytes(b"not a tarball")
    with pytest.raises(ArchiveError, match="not a readable source archive"):
        extract_source(garbage, tmp_path / "out2")


def test_cross_configure_names_host_build_and_build_python():
    args = build_cpython.cross_configure_args("aarch64-linux-musl", "x86_64-linux-musl", "/w/build-python/bin/python3.13")
    assert args == ["--host=aarch64-linux-musl", "--build=x86_64-linux-musl",
                    "--with-build-python=/w/build-python/bin/python3.13"]
    assert build_cpython.cross_configure_args("x86_64-linux-musl", None, None) == []


def main_argv(tmp_path, target, *extra):
    return ["--source", "x.tar.xz", "--version", "3.13.15", "--target", target, "--cc", "cc", "--ar", "ar",
            "--output", str(tmp_path / "o"), "--descriptor", str(tmp_path / "d"), "--log", str(tmp_path / "l"),
            *extra]


def test_build_python_needs_the_build_triple(tmp_path, capsys):
    with pytest.raises(SystemExit):
        build_cpython.main(main_argv(tmp_path, "aarch64-linux-musl", "--build-python", "/b/bin/python3.13"))
    assert "--build-python and --build-target go together" in capsys.readouterr().err


def test_lto_merges_the_fat_core_but_keeps_the_inittab_and_native_members_apart():
    members = ["ceval.o", "config.o", "_json.o", "object.o", "getbuildinfo.o"]
    fat = {"ceval.o", "config.o", "object.o", "getbuildinfo.o"}
    merged, kept = lto.lto_members(members, fat.__contains__)
    assert merged == ["ceval.o", "object.o", "getbuildinfo.o"]
    # config.o (the inittab) stays its own member, so a binary's glue can replace it.
    assert kept == ["config.o", "_json.o"]


def test_lto_refuses_an_archive_with_duplicate_member_names():
    with pytest.raises(build_cpython.BuildError, match="same name"):
        lto.lto_members(["a.o", "b.o", "a.o"], lambda m: True)


def elf_object(section_types, wide=True, order="<"):
    """A minimal ELF relocatable object: its header and section headers of the given types."""
    shentsize = 64 if wide else 40
    header = bytearray(64 if wide else 52)
    header[:6] = b"\x7fELF" + bytes([2 if wide else 1, 1 if order == "<" else 2])
    shoff = len(header)
    if wide:
        struct.pack_into(order + "Q", header, 0x28, shoff)
        struct.pack_into(order + "HH", header, 0x3A, shentsize, len(section_types))
    else:
        struct.pack_into(order + "I", header, 0x20, shoff)
        struct.pack_into(order + "HH", header, 0x2E, shentsize, len(section_types))
    sections = b"".join(struct.pack(order + "II", 7 * i, kind).ljust(shentsize, b"\0") for i, kind in enumerate(section_types))
    return bytes(header) + sections


@pytest.mark.parametrize("wide, order", [(True, "<"), (True, ">"), (False, "<"), (False, ">")])
def test_elf_section_types_reads_every_elf_class_and_byte_order(wide, order):
    types = [0, 1, lto.SHT_LLVM_LTO, 2]
    assert lto.elf_section_types(elf_object(types, wide, order)) == types


def test_a_fat_lto_object_is_told_from_a_native_one(tmp_path):
    (tmp_path / "fat.o").write_bytes(elf_object([0, 1, lto.SHT_LLVM_LTO]))
    (tmp_path / "native.o").write_bytes(elf_object([0, 1, 2, 3]))
    assert lto.has_lto_section(tmp_path / "fat.o")
    assert not lto.has_lto_section(tmp_path / "native.o")
    (tmp_path / "bitcode.o").write_bytes(b"BC\xc0\xde" + bytes(60))
    with pytest.raises(build_cpython.BuildError, match="not an ELF object"):
        lto.has_lto_section(tmp_path / "bitcode.o")


def test_zig_of_names_the_fix_when_cc_is_not_zigs_wrapper(tmp_path):
    cc = tmp_path / "bin" / "cc"
    cc.parent.mkdir()
    cc.write_text("")
    with pytest.raises(build_cpython.BuildError, match="ld.lld"):
        lto.zig_of(cc)
    zig = tmp_path / "ziglang" / "zig"
    zig.parent.mkdir()
    zig.write_text("")
    assert lto.zig_of(cc) == zig


def test_pgo_flags_use_the_staged_profile_and_silence_only_profile_warnings():
    flags = pgo.pgo_flags("/w/cpython.profdata")
    assert flags[0] == "-fprofile-instr-use=/w/cpython.profdata"
    assert all(f.startswith("-Wno-profile-instr-") for f in flags[1:])
    assert pgo.pgo_flags(generate=True) == ["-fprofile-instr-generate"]
    assert pgo.pgo_flags() == []
    with pytest.raises(build_cpython.BuildError, match="exclude each other"):
        pgo.pgo_flags("/w/p", generate=True)


def test_a_profile_of_another_source_is_stale_and_names_the_fix():
    meta = {"python_version": "3.13.15", "source_sha256": "a" * 64}
    pgo.check_profile_meta(meta, "3.13.15", "a" * 64, "p.profdata.xz")
    with pytest.raises(build_cpython.BuildError, match="stale.*3.13.14.*bench/pgo/generate"):
        pgo.check_profile_meta(dict(meta, python_version="3.13.14"), "3.13.15", "a" * 64, "p.profdata.xz")
    with pytest.raises(build_cpython.BuildError, match="stale"):
        pgo.check_profile_meta(meta, "3.13.15", "b" * 64, "p.profdata.xz")
    with pytest.raises(build_cpython.BuildError, match="no source_sha256"):
        pgo.check_profile_meta({"python_version": "3.13.15"}, "3.13.15", "a" * 64, "p.profdata.xz")


def test_stage_profile_decompresses_xz_to_a_name_of_its_content(tmp_path):
    import lzma

    (tmp_path / "w").mkdir()
    (tmp_path / "p.profdata.xz").write_bytes(lzma.compress(b"\xfflprofi data"))
    staged = pgo.stage_profile(str(tmp_path / "p.profdata.xz"), tmp_path / "w")
    assert staged.parent == tmp_path / "w"
    assert staged.read_bytes() == b"\xfflprofi data"
    (tmp_path / "q.profdata").write_bytes(b"raw")
    other = pgo.stage_profile(str(tmp_path / "q.profdata"), tmp_path / "w")
    assert other.read_bytes() == b"raw"
    # Another profile, another path (and so other flags): zig's cache does not see the content.
    assert other != staged
    assert pgo.stage_profile(str(tmp_path / "p.profdata.xz"), tmp_path / "w") == staged


def test_profile_needs_its_meta(tmp_path, capsys):
    with pytest.raises(SystemExit):
        build_cpython.main(main_argv(tmp_path, "x86_64-linux-musl", "--profile", "p.profdata.xz"))
    assert "--profile and --profile-meta go together" in capsys.readouterr().err
