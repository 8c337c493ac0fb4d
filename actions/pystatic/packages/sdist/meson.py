"""meson-python's setup: meson and ninja of the build lock, a cross file for the target, Cython's native file."""

import os
import shutil
import sys

from pystatic.packages.sdist.errors import BuildError
from pystatic.packages.sdist.pep517 import program_of_wheel

MESON_MAIN = "import sys\nfrom mesonbuild.mesonmain import main\nsys.exit(main())\n"


def _meson_str(value):
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def meson_native_file(python, cython=None, build_cc=None):
    """A meson native file: the build machine's C compiler (the hermetic toolchain's for x86_64 musl, not
    the machine's `cc`: meson looks for one for every project language) and Cython (a build-machine
    program for meson) from the build lock's wheel."""
    lines = ["[binaries]"]
    if build_cc:
        lines.append(f"c = [{_meson_str(build_cc)}]")
    if cython:
        lines.append(f"cython = [{_meson_str(python)}, {_meson_str(cython)}]")
    return "\n".join(lines) + "\n"


def meson_cross_file(target, wrappers, python, pkg_config=None, pkgconfig_dirs=()):
    """A meson cross file for the target: the wrappers as compilers (so compiles are recorded and the
    shared_module link of `py.extension_module` is captured), the target's sysconfig through
    `python`, and no test program run (needs_exe_wrapper: even x86_64 musl is not the build machine).
    The CPU family is meson's name (the target row's meson_cpu_family). pkg_config: the program, and
    pkgconfig_dirs the only directories it searches for the target (native and distribution libraries'
    .pc files): meson uses no pkg-config for the host machine of a cross build unless named here."""
    cpu = target.triple.split("-")[0]
    if not target.meson_cpu_family:
        raise BuildError(f"meson cross file: unknown target CPU {cpu} ({target.triple}): no meson_cpu_family "
                         "(its row of distribution/toolchains/targets.bzl)")
    lines = [
        "[binaries]",
        f"c = [{_meson_str(wrappers['cc'])}]",
        f"cpp = [{_meson_str(wrappers['cxx'])}]",
        f"ar = [{_meson_str(wrappers['ar'])}]",
        f"python = [{_meson_str(python)}]",
        f"python3 = [{_meson_str(python)}]",
    ]
    dirs = ", ".join(_meson_str(d) for d in pkgconfig_dirs)
    if pkg_config:
        lines.append(f"pkg-config = [{_meson_str(pkg_config)}]")
    lines += [
        "",
        "[properties]",
        "needs_exe_wrapper = true",
    ]
    if pkg_config:
        lines += [f"pkg_config_libdir = [{dirs}]", "", "[built-in options]", f"pkg_config_path = [{dirs}]"]
    lines += [
        "",
        "[host_machine]",
        "system = 'linux'",
        f"cpu_family = {_meson_str(target.meson_cpu_family)}",
        f"cpu = {_meson_str(cpu)}",
        "endian = 'little'",
        "",
    ]
    return "\n".join(lines)


def meson_setup(work, env_dir, wrappers, target, env, include_dir=None, roots=()):
    """Prepares meson-python's run: meson (`MESON`, its wheel's module), ninja (`NINJA`, the program of
    its wheel for the build machine) and the cross file; returns the backend's config_settings."""
    ninja = program_of_wheel(env_dir, "ninja", "ninja")
    meson = work / "tools" / "meson.py"
    meson.write_text(MESON_MAIN)
    cross = work / "tools" / "cross.ini"
    pkgconfig_dirs = [d for d in env.get("PKG_CONFIG_PATH", "").split(os.pathsep) if d]
    cross.write_text(meson_cross_file(target, wrappers, sys.executable, shutil.which("pkg-config", path=env.get("PATH")),
                                      pkgconfig_dirs))
    setup_args = [f"--cross-file={cross}"]
    cython = env_dir / "cython.py"
    build_cc = wrappers.get("build_cc")
    if cython.exists() or build_cc:
        native = work / "tools" / "native.ini"
        native.write_text(meson_native_file(sys.executable, cython if cython.exists() else None, build_cc))
        setup_args.append(f"--native-file={native}")  # meson-python adds its own (python) after it
    env["NINJA"] = str(ninja)
    env["MESON"] = str(meson)
    return {"setup-args": setup_args, "build-dir": str(work / "mesonbuild")}
