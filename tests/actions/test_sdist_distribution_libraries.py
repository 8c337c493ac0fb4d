"""build_sdist.py: the distribution's own C libraries (libffi, zlib, OpenSSL, ...) reach a backend, but
their objects stay out of the package's archive (every binary links them already)."""

import shutil
import subprocess

import pytest

from pystatic.packages import build_sdist
from pystatic.packages.sdist import compiler_wrapper, distribution_libraries, meson
from pystatic.packages.sdist.errors import BuildError
from pystatic.packages.sdist.native_libraries import native_libraries, pkgconfig_dirs
from pystatic.packages.sdist.pep517 import Target
from test_build_sdist import BACKEND, PYPROJECT, args_for, make_sdist, needs_cc

# build_dep.py's pkg-config files: every path derives from `prefix=`, a fixed path of its build.
PC = "prefix=/pystatic-prefix\nincludedir=${prefix}/include\nlibdir=${prefix}/lib\n\nName: {name}\nVersion: 1\n" \
     "Description: d\nCflags: -I${includedir}\nLibs: -L${libdir} -l{link}\n"


def make_prefix(root, name, headers, archives, pc_link=None):
    prefix = root / f"{name}_prefix"
    (prefix / "include").mkdir(parents=True)
    (prefix / "lib" / "pkgconfig").mkdir(parents=True)
    for header, text in headers.items():
        path = prefix / "include" / header
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for archive in archives:
        (prefix / "lib" / archive).write_bytes(b"!<arch>\n")
    (prefix / "lib" / "ARCHIVES").write_text("".join(a + "\n" for a in archives))
    if pc_link:
        (prefix / "lib" / "pkgconfig" / f"{name}.pc").write_text(
            PC.replace("{name}", name).replace("{link}", pc_link))
    (prefix / f"LICENSE.{name}").write_text(f"{name} licence\n")
    return prefix


def test_stage_merges_the_prefixes_into_one_with_their_link_names_and_relocated_pc_files(tmp_path):
    ffi = make_prefix(tmp_path, "libffi", {"ffi.h": "/* ffi */\n", "ffitarget.h": ""}, ["libffi.a"], pc_link="ffi")
    ssl = make_prefix(tmp_path, "openssl", {"openssl/ssl.h": ""}, ["libssl.a", "libcrypto.a"])
    staged = distribution_libraries.stage([f"libffi={ffi}", f"openssl={ssl}"], tmp_path / "stage")
    root = tmp_path / "stage"
    assert staged["libraries"] == {"libffi": ["ffi"], "openssl": ["crypto", "ssl"]}
    assert staged["links"] == ["crypto", "ffi", "ssl"]
    assert (root / "include" / "ffi.h").read_text() == "/* ffi */\n" and (root / "include" / "openssl" / "ssl.h").exists()
    assert (root / "lib" / "libcrypto.a").resolve() == (ssl / "lib" / "libcrypto.a").resolve()
    assert not (root / "lib" / "ARCHIVES").exists()
    pc = (root / "lib" / "pkgconfig" / "libffi.pc").read_text()
    assert pc.startswith(f"prefix={root}\n") and "includedir=${prefix}/include" in pc
    assert staged["dirs"] == [str(root / "lib"), str(ffi / "lib"), str(ssl / "lib")]


def test_stage_without_libraries_is_none_and_a_bad_prefix_or_a_clash_is_an_error(tmp_path):
    assert distribution_libraries.stage([], tmp_path / "none") is None
    with pytest.raises(BuildError, match="distribution library zlib"):
        distribution_libraries.stage([f"zlib={tmp_path / 'nowhere'}"], tmp_path / "s1")
    a = make_prefix(tmp_path / "a", "zlib", {"zlib.h": ""}, ["libz.a"])
    b = make_prefix(tmp_path / "b", "other", {"zlib.h": ""}, ["libother.a"])
    with pytest.raises(BuildError, match="zlib and other both have include/zlib.h"):
        distribution_libraries.stage([f"zlib={a}", f"other={b}"], tmp_path / "s2")


def test_link_archives_leaves_the_distributions_libraries_to_the_binary(tmp_path):
    ffi = make_prefix(tmp_path, "libffi", {"ffi.h": ""}, ["libffi.a"])
    staged = distribution_libraries.stage([f"libffi={ffi}"], tmp_path / "stage")
    own = tmp_path / "build"
    own.mkdir()
    (own / "libhelper.a").write_bytes(b"!<arch>\n")
    provided = {"links": staged["links"], "dirs": staged["dirs"]}
    libs, dirs = ["helper", "ffi", "m", "z"], [str(own), staged["lib"]]
    # -lz: not on any -L here, but the distribution's zlib is linked by every binary all the same.
    provided["links"].append("z")
    archives, used = compiler_wrapper.link_archives(["-lhelper", "-lffi", "-lm", "-lz"], libs, dirs, provided)
    assert archives == [str(own / "libhelper.a")] and used == ["ffi", "z"]
    # CMake's find_library names archives by path: the staged symlink and the prefix's own file alike.
    args = [str(tmp_path / "stage" / "lib" / "libffi.a"), str(ffi / "lib" / "libffi.a"), str(own / "libhelper.a")]
    archives, used = compiler_wrapper.link_archives(args, [], [], provided)
    assert archives == [str(own / "libhelper.a")] and used == ["ffi"]
    # A native library of the same name, earlier on the -L path, wins: its objects go in.
    native = tmp_path / "native" / "lib"
    native.mkdir(parents=True)
    (native / "libffi.a").write_bytes(b"!<arch>\n")
    archives, used = compiler_wrapper.link_archives(["-lffi"], ["ffi"], [str(native), staged["lib"]], provided)
    assert archives == [str(native / "libffi.a")] and used == []


def test_native_libraries_pkg_config_files_point_at_their_prefix(tmp_path):
    prefix = make_prefix(tmp_path, "libyaml", {"yaml.h": ""}, ["libyaml.a"], pc_link="yaml")
    natives = native_libraries([f"libyaml={prefix}"])
    assert pkgconfig_dirs(natives, tmp_path / "pc") == [str(tmp_path / "pc")]
    assert (tmp_path / "pc" / "libyaml.pc").read_text().startswith(f"prefix={prefix}\n")
    assert pkgconfig_dirs([], tmp_path / "none") == [] and not (tmp_path / "none").exists()


def test_meson_cross_file_names_pkg_config_and_only_the_given_directories():
    wrappers = {"cc": "/w/cc", "cxx": "/w/cxx", "ar": "/z/ar"}
    text = meson.meson_cross_file(Target("x86_64-linux-musl", "x86_64"), wrappers, "/p", "/usr/bin/pkg-config",
                                  ["/n/pc", "/d/lib/pkgconfig"])
    assert "pkg-config = ['/usr/bin/pkg-config']" in text.split("[properties]")[0]
    assert "needs_exe_wrapper = true\npkg_config_libdir = ['/n/pc', '/d/lib/pkgconfig']\n" in text
    assert "[built-in options]\npkg_config_path = ['/n/pc', '/d/lib/pkgconfig']" in text
    assert "pkg-config" not in meson.meson_cross_file(Target("x86_64-linux-musl", "x86_64"), wrappers, "/p")


@needs_cc
def test_a_package_compiles_against_a_distribution_library_and_its_archive_stays_out(tmp_path):
    (tmp_path / "dl.c").write_text("int dl_answer(void) { return 42; }\n")
    subprocess.run(["cc", "-c", str(tmp_path / "dl.c"), "-o", str(tmp_path / "dl.o")], check=True)
    prefix = make_prefix(tmp_path, "libdl", {"dl.h": "int dl_answer(void);\n"}, [], pc_link="distlib")
    subprocess.run(["ar", "rcs", str(prefix / "lib" / "libdistlib.a"), str(tmp_path / "dl.o")], check=True)
    # Like cffi: asks pkg-config (if there is one) and links `-l<name>` with LDFLAGS' -L.
    backend = BACKEND.replace(
        'subprocess.check_call(ld + ["build/ext.o", "build/helper.o", "-o", "build/_ext" + suffix])',
        'subprocess.check_call(ld + ["build/ext.o", "build/helper.o"] + shlex.split(os.environ["LDFLAGS"]) + '
        '["-ldistlib", "-o", "build/_ext" + suffix])\n'
        '    import shutil\n'
        '    if shutil.which("pkg-config"):\n'
        '        open("pc.txt", "w").write(subprocess.check_output(["pkg-config", "--cflags", "--libs", "libdl"], text=True))\n'
        '    zipfile.ZipFile(os.path.join(wheel_directory, "x.zip"), "w").close()',
    ).replace('zf.writestr("pkg-1.0.dist-info/RECORD", "")',
              'zf.writestr("pkg-1.0.dist-info/RECORD", "")\n        zf.writestr("pkg/pc.txt", open("pc.txt").read() if os.path.exists("pc.txt") else "")')
    ext = '#include <dl.h>\nint helper(void);\nvoid *PyInit__ext(void) { return (void *)(long)(helper() + dl_answer()); }\n'
    argv, out = args_for(tmp_path, make_sdist(tmp_path, PYPROJECT, {"backend.py": backend, "ext.c": ext}))
    argv += ["--distribution_library", f"libdl={prefix}"]
    assert build_sdist.main(argv) == 0, (out / "sdist.log").read_text()
    symbols = subprocess.run(["nm", str(out / "lib.a")], capture_output=True, text=True).stdout
    # The extension refers to the library; the binary's link resolves it in the distribution's copy.
    assert "U dl_answer" in symbols and "T dl_answer" not in symbols and "T PyInit_pystatic_pkg___ext" in symbols
    log = (out / "sdist.log").read_text()
    assert "# distribution library libdl (-ldistlib, linked by the binary, not copied)" in log
    assert "left to the binary's link: pkg._ext: -ldistlib" in log
    # Its licence is the distribution's (the binary lists it already), not the package's.
    assert not (out / "site" / "pkg-1.0.dist-info" / "licenses" / "LICENSE.libdl").exists()
    if shutil.which("pkg-config"):
        flags = (out / "site" / "pkg" / "pc.txt").read_text().split()
        assert flags[0].startswith("-I") and flags[0].endswith("/distlibs/include") and "-ldistlib" in flags, flags
