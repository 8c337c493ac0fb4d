"""Builds CPython from its source archive as static objects, for one target, with the given C toolchain.

One Bazel action: extract, apply the known fixes for static musl builds, configure, make. The output
is a directory (the "distribution") plus a JSON descriptor, modelled on python-build-standalone's
PYTHON.json, that tells later steps what to link and which modules are built in:

  lib/libpython<X.Y>.a and the helper archives its modules need, include/ (headers, pyconfig.h),
  lib/python<X.Y>/ (the pure-Python standard library), bin/python<X.Y> (the static interpreter;
  the layout is a normal prefix, so it runs as the build-machine Python of the same version where
  the build machine can execute it), config.c (the generated inittab).
"""

import argparse
import hashlib
import json
import os
import pathlib
import re
import shutil
import sys

from pystatic.common import descriptor as distribution_descriptor
from pystatic.common.action_args import expand_param_files
from pystatic.distribution import configure_answers
from pystatic.distribution.configure_make import (
    LINK_ORDER_FILE,
    NO_UNWIND_TABLES,
    OPTIMISATION_FLAGS,
    SECTION_FLAGS,
    BuildError,
    build_env,
    logged_build,
    run,
    scratch_dir,
)
from pystatic.distribution.lto import LTO_CFLAGS, LTO_OBJECT, native_core_archive
from pystatic.distribution.pgo import PGO_GENERATE_LINK, check_profile_meta, pgo_flags, stage_profile
from pystatic.distribution.source_archive import extract_source

# Fixed, so nothing that embeds the prefix (getpath, sysconfig) differs between builds.
PREFIX = "/pystatic"

# Stdlib packages not shipped: tests, GUIs and tools that a static binary cannot use.
STDLIB_EXCLUDED = {
    "test": "CPython's own test suite",
    "idlelib": "needs Tk",
    "tkinter": "needs Tk (no _tkinter on musl static)",
    "turtle.py": "needs Tk",
    "turtledemo": "needs Tk",
    "ensurepip": "installs pip into an interpreter; meaningless in a sealed binary",
    "lib2to3": "removed tooling",
}

# Why configure may mark a module other than "yes", for the descriptor.
MODULE_STATE_REASONS = {
    "missing": "its C dependency is not part of this distribution build",
    "disabled": "disabled by configure options",
    "n/a": "not available on this platform",
}


# Modules left out on purpose, whatever libraries are around: configure gets py_cv_module_<name>=n/a.
LEFT_OUT = {
    "readline": "left out: GNU readline is GPL-3.0, so linking it would make every binary GPL (no libedit build yet)",
    "_curses": "left out: ncurses is not built (terminal UI; needs a terminfo database at run time)",
    "_curses_panel": "left out: ncurses is not built (terminal UI; needs a terminfo database at run time)",
    "_gdbm": "left out: GNU gdbm is GPL-3.0, so linking it would make every binary GPL",
    "_dbm": "left out: needs ndbm, gdbm (GPL) or Berkeley DB; dbm.sqlite3 and dbm.dumb work without it",
    "_tkinter": "left out: Tcl/Tk GUI, not built for static binaries (tkinter is not shipped either)",
}


def extensions_left_out(states):
    """{module: {state, reason}} for each module configure did not build."""
    return {
        name: {"state": state, "reason": LEFT_OUT.get(name) or MODULE_STATE_REASONS.get(state, state)}
        for name, state in sorted(states.items())
        if state != "yes"
    }


# Libraries CPython bundles, the module that pulls each in, its licence and where its text is.
BUNDLED = [
    ("expat", "pyexpat", "MIT", "Modules/expat/COPYING"),
    ("libmpdec", "_decimal", "BSD-2-Clause", "Doc/license.rst"),
    ("HACL*", "_sha2", "MIT", "Doc/license.rst"),
]


# Compiler flags of CPython's own objects: the distribution's tables (configure_make.py), flag -> why.
CFLAGS = {**SECTION_FLAGS, **NO_UNWIND_TABLES}
# Replaces configure's "-g -O3".
OPT = {"-DNDEBUG": "no assertions", **OPTIMISATION_FLAGS}


def cross_configure_args(target, build_target, build_python):
    """configure arguments of a cross build; [] when the build machine runs the target's programs."""
    if not build_python:
        return []
    return [
        f"--host={target}",
        f"--build={build_target}",
        f"--with-build-python={build_python}",
    ]


def apply_static_fixes(src, version):
    """Known fixes for a static build with clang (zig cc) against musl; see DEVELOPERS.md."""
    # 1. clang's <stdarg.h> hides musl's __DEFINED_va_list, so the musl triplet was not detected.
    triplet = src / "Misc" / "platform_triplet.c"
    text = triplet.read_text()
    fixed = text.replace("#  include <stdarg.h>\n#  ifdef __DEFINED_va_list", "#  include <stdio.h>\n#  ifdef __DEFINED_va_list")
    if fixed == text:
        raise BuildError(f"CPython {version}: Misc/platform_triplet.c changed; the musl detection fix no longer applies")
    triplet.write_text(fixed)
    # 2. ctypes.pythonapi = PyDLL(None) needs dlopen of the running binary, impossible when static.
    ctypes_init = src / "Lib" / "ctypes" / "__init__.py"
    text = ctypes_init.read_text()
    fixed = text.replace(
        "    pythonapi = PyDLL(None)\n",
        "    try:\n        pythonapi = PyDLL(None)\n    except OSError:  # static interpreter: no dlopen\n        pythonapi = None\n",
    )
    if fixed == text:
        raise BuildError(f"CPython {version}: Lib/ctypes/__init__.py changed; the static pythonapi fix no longer applies")
    ctypes_init.write_text(fixed)
    # 3. configure asks nothing of the build machine (configure_answers.py).
    configure_answers.check_answered((src / "configure.ac").read_text(), version)
    configure_answers.fix_uuid_node_check(src / "configure", version)


def module_states(makefile_text):
    """{module: state} from the MODULE_<NAME>_STATE lines configure writes into the Makefile."""
    states = {}
    for match in re.finditer(r"^MODULE_([A-Z0-9_]+)_STATE=(\S+)", makefile_text, re.M):
        states[match.group(1).lower()] = match.group(2)
    return states


def inittab(config_c_text):
    """[(module, init function)] from the `_PyImport_Inittab` array of the generated config.c."""
    return re.findall(r'^\s*\{"([\w.]+)", (PyInit_\w+)\},', config_c_text, re.M)


def _copy_stdlib(src_lib, dest):
    def ignore(directory, names):
        skip = {"__pycache__"}
        if pathlib.Path(directory) == src_lib:
            skip |= set(STDLIB_EXCLUDED)
        return [n for n in names if n in skip or n.endswith((".pyc", ".exe"))]

    shutil.copytree(src_lib, dest, ignore=ignore)


def stage_deps(deps, root):
    """Merges the dependencies' prefixes into `root`; returns [(name, origin dict, [archives])].

    Their pkg-config files name the fixed prefix they were installed under; point them at `root`.
    """
    staged = []
    for name, prefix, origin in deps:
        shutil.copytree(prefix, root, dirs_exist_ok=True)
        # build_dep.py lists them in link order (libssl before libcrypto).
        archives = (pathlib.Path(prefix) / LINK_ORDER_FILE).read_text().split()
        staged.append((name, json.loads(pathlib.Path(origin).read_text()), archives))
    (root / LINK_ORDER_FILE).unlink(missing_ok=True)
    for pc in (root / "lib" / "pkgconfig").glob("*.pc"):
        pc.chmod(0o644)
        pc.write_text(re.sub(r"^prefix=.*$", f"prefix={root}", pc.read_text(), count=1, flags=re.M))
    return staged


def build(args, log):
    work = scratch_dir(args.output)
    out = pathlib.Path(args.output).resolve()
    src = extract_source(args.source, work)
    if not (src / "configure").exists():
        raise BuildError(f"{args.source}: no configure script in {src.name}/; not a CPython source archive?")
    apply_static_fixes(src, args.version)
    deps_root = work / "deps"
    deps_root.mkdir()
    (deps_root / "lib" / "pkgconfig").mkdir(parents=True)
    staged = stage_deps(args.dep, deps_root)
    short = ".".join(args.version.split(".")[:2])
    # Free-threaded builds (--disable-gil) carry the ABI flag "t" in their names: libpython3.13t.a,
    # bin/python3.13t, lib/python3.13t (getpath looks there), _sysconfigdata_t_*.
    abiflags = "t" if args.disable_gil else ""
    ldversion = short + abiflags
    build_python = None
    if args.build_python:
        # Through a link in the scratch directory (a fixed path): configure records the path in
        # the Makefile and sysconfigdata, and make runs it from the source directory.
        link = work / "build-python"
        link.symlink_to(pathlib.Path(args.build_python).resolve().parent.parent)
        build_python = str(link / "bin" / pathlib.Path(args.build_python).name)

    env = build_env(
        work,
        args.cc,
        args.ar,
        CFLAGS=" ".join(CFLAGS),
        CPPFLAGS=f"-I{deps_root / 'include'}",
        # Replaces configure's "-g -O3".
        OPT=" ".join(OPT),
        LDFLAGS=f"-static -L{deps_root / 'lib'}",
        # No host libraries: dependencies come only from this build (none found means "missing").
        PKG_CONFIG_LIBDIR=str(deps_root / "lib" / "pkgconfig"),
    )
    configure = [
        "./configure",
        f"--prefix={PREFIX}",
        "--disable-shared",
        "--disable-test-modules",
        "--with-ensurepip=no",
        "--without-system-libmpdec",
        "--without-system-expat",
        "MODULE_BUILDTYPE=static",
        "LINKFORSHARED= ",
    ] + [f"py_cv_module_{name}=n/a" for name in sorted(LEFT_OUT)]
    if args.disable_gil:
        configure.append("--disable-gil")
    configure += configure_answers.configure_args(args.target) + cross_configure_args(args.target, args.build_target, build_python)
    if any(name == "openssl" for name, _, _ in staged):
        configure += [f"--with-openssl={deps_root}", "--with-openssl-rpath=no"]
    run(configure, src, env, log)
    # Fixed build date and time: zig rejects __DATE__/__TIME__, and outputs must be reproducible.
    profile_meta = None
    profile = None
    if args.profile:
        profile_meta = json.loads(pathlib.Path(args.profile_meta).read_text())
        source_sha256 = hashlib.sha256(pathlib.Path(args.source).read_bytes()).hexdigest()
        check_profile_meta(profile_meta, args.version, source_sha256, pathlib.Path(args.profile).name)
        profile = stage_profile(args.profile, work)
    nodist = ['-DDATE="\\"Jan 01 2000\\""', '-DTIME="\\"00:00:00\\""'] + pgo_flags(profile, bool(args.profile_runtime))
    make = ["make", f"-j{args.jobs}", "CFLAGS_NODIST=" + " ".join(nodist)]
    if args.profile_runtime:
        # The profile runtime (and its shims) after everything else on make's link lines (SYSLIBS).
        make.append("LIBC=" + " ".join(PGO_GENERATE_LINK + [str(pathlib.Path(a).resolve()) for a in args.profile_runtime]))
    if args.lto:
        # Make's own links (python, _freeze_module, _bootstrap_python) do a whole-program LTO.
        make.append(f"PY_CORE_CFLAGS=$(PY_STDMODULE_CFLAGS) -DPy_BUILD_CORE {' '.join(LTO_CFLAGS)}")
    run(make, src, env, log)
    if args.lto:
        merged = native_core_archive(src / f"libpython{ldversion}.a", work, env["CC"], env["AR"], args.jobs, log, env)
        log.write(f"LTO: {merged} core objects of libpython{ldversion}.a merged into {LTO_OBJECT}\n")
        # python (shipped: the build Python of cross and sdist builds) from the LTO core too; make
        # links a static build's python from the objects, so it is told to take the archive.
        (src / "python").unlink()
        run(make + ["python", f"LINK_PYTHON_OBJS=libpython{ldversion}.a"], src, env, log)

    states = module_states((src / "Makefile").read_text())
    config_c = (src / "Modules" / "config.c").read_text()
    builtins = dict(inittab(config_c))
    archives = sorted(p for p in src.rglob("*.a") if p.name != f"libpython{ldversion}.a")

    (out / "lib").mkdir(parents=True)
    (out / "bin").mkdir()
    shutil.copy2(src / f"libpython{ldversion}.a", out / "lib")
    helper_names = []
    for archive_path in archives:
        name = archive_path.name
        if name in helper_names:
            raise BuildError(f"two helper archives named {name}")
        helper_names.append(name)
        shutil.copy2(archive_path, out / "lib" / name)
    shutil.copy2(src / "python", out / "bin" / f"python{ldversion}")
    shutil.copytree(src / "Include", out / "include", ignore=shutil.ignore_patterns("*.in"))
    shutil.copy2(src / "pyconfig.h", out / "include" / "pyconfig.h")
    (out / "config.c").write_text(config_c)
    stdlib = out / "lib" / f"python{ldversion}"
    _copy_stdlib(src / "Lib", stdlib)
    for sysconfigdata in (src / "build").rglob("_sysconfigdata_*.py"):
        shutil.copy2(sysconfigdata, stdlib / sysconfigdata.name)
    # getpath's exec_prefix landmark; everything is built in, so it stays empty but for this note.
    (stdlib / "lib-dynload").mkdir()
    (stdlib / "lib-dynload" / "README").write_text("All extension modules are built in.\n")
    shutil.copy2(src / "LICENSE", out / "LICENSE.cpython")
    bundled_licenses = []
    for component, module, license_name, text in BUNDLED:
        if module in builtins:
            dest = f"LICENSE.cpython-{pathlib.Path(text).name}" if text.startswith("Doc/") else f"LICENSE.{component}"
            shutil.copy2(src / text, out / dest)
            bundled_licenses.append({
                "component": component,
                "version": f"bundled with CPython {args.version}",
                "license": license_name,
                "file": dest,
            })
    dep_archives, dep_licenses = [], []
    for name, origin, dep_archive_names in staged:
        for archive_name in dep_archive_names:
            if archive_name in helper_names or archive_name in dep_archives:
                raise BuildError(f"dependency {name}: archive {archive_name} clashes with another")
            shutil.copy2(deps_root / "lib" / archive_name, out / "lib" / archive_name)
            dep_archives.append(archive_name)
        shutil.copy2(deps_root / f"LICENSE.{name}", out / f"LICENSE.{name}")
        dep_licenses.append({
            "component": name,
            "version": origin["version"],
            "license": origin["license"],
            "file": f"LICENSE.{name}",
            "source_sha256": origin["sha256"],
            "source_origin": origin["origin"],
        })

    descriptor = distribution_descriptor.new(
        python_version=args.version,
        abiflags=abiflags,
        target_triple=args.target,
        archives=[f"lib/libpython{ldversion}.a"] + [f"lib/{n}" for n in helper_names + dep_archives],
        system_libraries=["m"],
        builtins=builtins,
        extensions_left_out=extensions_left_out(states),
        stdlib_excluded=STDLIB_EXCLUDED,
        pgo=(
            {"profile": pathlib.Path(args.profile).name, "profile_sha256": hashlib.sha256(pathlib.Path(args.profile).read_bytes()).hexdigest()}
            | {k: profile_meta[k] for k in sorted(profile_meta)}
            if args.profile
            else ({"instrumented": True} if args.profile_runtime else None)
        ),
        licenses=[{"component": "cpython", "version": args.version, "license": "PSF-2.0", "file": "LICENSE.cpython"}]
        + bundled_licenses
        + dep_licenses,
    )
    shutil.rmtree(work, ignore_errors=True)
    return descriptor


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True, help="CPython source archive (.tar.xz)")
    parser.add_argument(
        "--dep", action="append", default=[], nargs=3, metavar=("NAME", "PREFIX", "ORIGIN_JSON"),
        help="a static C library built for this target (static_dependency)",
    )
    parser.add_argument("--version", required=True, help="full version, e.g. 3.13.15")
    parser.add_argument("--target", required=True, help="target triple, e.g. x86_64-linux-musl")
    parser.add_argument("--build-target", help="cross builds: the build machine's triple, e.g. x86_64-linux-musl")
    parser.add_argument(
        "--build-python",
        help="cross builds: bin/python<X.Y> of the same version built for the build machine (stdlib next to it)",
    )
    parser.add_argument(
        "--disable-gil", action="store_true",
        help="a free-threaded build (configure --disable-gil, ABI flag t): one row of rules/private/python_builds.bzl",
    )
    parser.add_argument("--cc", required=True)
    parser.add_argument("--ar", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--lto", action=argparse.BooleanOptionalAction, default=False,
                        help="link-time optimisation of the interpreter core (cpython_static_distribution's lto)")
    parser.add_argument("--profile", help="PGO: a .profdata (or .profdata.xz) of bench/pgo/generate, applied with -fprofile-instr-use")
    parser.add_argument("--profile-meta", help="PGO: the profile's .json (what it was made from); required with --profile")
    parser.add_argument(
        "--profile-runtime", action="append", default=[],
        help="bench/pgo/generate only: an instrumented build linked with this archive or object (the profile runtime)",
    )
    parser.add_argument("--output", required=True, help="output directory (the distribution)")
    parser.add_argument("--descriptor", required=True, help="output JSON descriptor")
    parser.add_argument("--log", required=True, help="output: configure/make log")
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))
    if bool(args.profile) != bool(args.profile_meta):
        parser.error("--profile and --profile-meta go together")
    if bool(args.build_python) != bool(args.build_target):
        parser.error("--build-python and --build-target go together (cross builds)")
    code, descriptor = logged_build(args.log, f"CPython {args.version} for {args.target}", lambda log: build(args, log))
    if code:
        return code
    distribution_descriptor.dump(descriptor, args.descriptor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
