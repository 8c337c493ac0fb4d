"""Builds a static CPython for a Windows target (zig's x86_64-windows-gnu: mingw-w64 headers, the UCRT).

One Bazel action, without configure or make: CPython's Windows build is PCbuild (MSBuild), so the C
files come from PCbuild's project files (pcbuild.py reads them), compiled with the target's zig cc:

  1. extract the source, apply windows_sources.SOURCE_FIXES (each fails loudly when it no longer applies);
  2. generate pyconfig.h (PC/pyconfig.h.in plus a static build's head), the frozen modules
     (Programs/_freeze_module.py run by a build-machine Python of the same X.Y) and config.c
     (PC/config.c plus the extension modules compiled in);
  3. compile pythoncore.vcxproj's files and those of the EXTENSIONS projects into libpython<X.Y>.a;
  4. link python.exe (Programs/python.c) against it, the C libraries and Windows' import libraries.

Output directory: python.exe and Lib/ (the standard library, found by getpath's landmark Lib/os.py),
libs/libpython<X.Y>.a and the C libraries' archives, include/ (Include/ and pyconfig.h), config.c,
LINK (the link's libraries in order, one a line). docs/windows.md.
"""

import argparse
import concurrent.futures
import os
import pathlib
import re
import shutil
import subprocess
import sys

from pystatic.common.action_args import expand_param_files
from pystatic.distribution import pcbuild, windows_descriptor, windows_sources
from pystatic.distribution.configure_make import (
    LINK_ORDER_FILE,
    OPTIMISATION_FLAGS,
    SECTION_FLAGS,
    BuildError,
    build_env,
    logged_build,
    run,
    scratch_dir,
)
from pystatic.distribution.source_archive import extract_source

# Extension projects of PCbuild compiled into libpython as built-in modules (PyInit_<project name>),
# with the C libraries each needs (--dep names). Left out: _tkinter (Tk), _wmi (C++, COM), _testcapi & co.
EXTENSIONS = {
    "_asyncio": [],
    "_bz2": ["bzip2"],
    "_ctypes": ["libffi"],
    "_decimal": [],
    "_elementtree": [],
    "_hashlib": ["openssl"],
    "_lzma": ["xz"],
    "_multiprocessing": [],
    "_overlapped": [],
    "_queue": [],
    "_socket": [],
    "_sqlite3": ["sqlite3"],
    "_ssl": ["openssl"],
    "_uuid": [],
    "_zoneinfo": [],
    "pyexpat": [],
    "select": [],
    "unicodedata": [],
    "winsound": [],
}

# The PCbuild properties the projects' conditions and paths use. External libraries (PCbuild's
# externals/ directories) are `<dep>` markers: their C files are not compiled (the --dep archive is
# linked), their include directories become the dependency's include/.
PROPERTIES = {
    "Platform": "x64",
    "Configuration": "Release",
    "IncludeExternals": "true",
    "PyVPath": "..\\\\..",
    "PyDebugExt": "",
    "zlibDir": "<zlib>",
    "bz2Dir": "<bzip2>",
    "lzmaDir": "<xz>/",
    "sqlite3Dir": "<sqlite3>",
    "opensslIncludeDir": "<openssl>",
    "libffiIncludeDir": "<libffi>",
    # 3.13 bundles libmpdec (Modules/_decimal/libmpdec); PCbuild names it as an external.
    "mpdecimalDir": "/SRC/Modules/_decimal",
    "GeneratedFrozenModulesDir": "/SRC/",
    "PySourcePath": "/SRC/",
}

# What pyproject.props gives every project (its property functions are not read).
BASE_DEFINES = ["WIN32", "_WIN64", "NDEBUG", "Py_NO_ENABLE_SHARED"]
BASE_INCLUDES = ["Include", "Include/internal", "Include/internal/mimalloc", "PC"]
# Generated in the source tree: windows_sources.HEADER_CASE's headers (searched after all others).
SHIM_DIR = "PC/pystatic-header-case"
# PCbuild's defines for a DLL build, replaced by Py_NO_ENABLE_SHARED (a static core).
DROPPED_DEFINES = {"_USRDLL", "Py_ENABLE_SHARED", "MS_DLL_ID"}
# Defines of a project replaced (new None: dropped) here: (project, old, new, why).
DEFINE_CHANGES = [
    ("_decimal", "MASM", "ANSI", "libmpdec's MASM division (vcdiv64.asm) is for MSVC: the portable C code instead"),
    ("_sqlite3", "PY_SQLITE_ENABLE_LOAD_EXTENSION", None,
     "the distribution's SQLite has no loadable extensions (--disable-load-extension, as on Linux)"),
]
# Include directories of a project dropped here: (project, directory, why).
INCLUDE_DROPS = [
    ("_decimal", "Modules/_decimal/windows", "its mpdecimal.h shim is empty for compilers other than MSVC: libmpdec's own"),
]
# Include directories searched after the C library's (-idirafter): (project, directory, why).
LATE_INCLUDES = [
    ("_decimal", "Modules/_decimal/libmpdec", "libmpdec's io.h would hide the C library's <io.h> (process.h includes it)"),
]
# Defines of one file (each: why), as on Linux (build_cpython.py).
FILE_DEFINES = {
    "Modules/getbuildinfo.c": ['DATE="Jan 01 2000"', 'TIME="00:00:00"'],  # zig rejects __DATE__/__TIME__; reproducible
}
# Flags for the compiler (each: why).
WINDOWS_FLAGS = {
    "-include": "with process.h below: MSVC's headers declare getpid(), mingw-w64's only in process.h",
    "process.h": "(the argument of -include)",
    "-fms-extensions": "mmapmodule.c uses MSVC's __try/__except (clang's SEH on Windows targets)",
    "-Wno-error=incompatible-pointer-types": "int * for DWORD * / long * (both 32 bits on Windows) in _winapi.c, semaphore.c",
    "-Wno-error=int-conversion": "MSVC accepts integer/pointer mix-ups clang 22 rejects",
    "-Wno-error=implicit-function-declaration": "a declaration MSVC's headers give and mingw-w64's do not is a warning in the log",
}
CFLAGS = [*OPTIMISATION_FLAGS, *SECTION_FLAGS, *WINDOWS_FLAGS]
# The C libraries' archives after libpython, users first; zstd for the binaries' compressed resources
# (CPython 3.13 has no _zstd).
LINK_ORDER = ["openssl", "sqlite3", "xz", "bzip2", "libffi", "zstd", "zlib"]
# Parts of Lib/ not copied (names at any depth): CPython's tests and the Tk GUIs (no _tkinter).
STDLIB_LEFT_OUT = list(windows_descriptor.STDLIB_EXCLUDED)


def frozen_module_source(root, name):
    """The .py file a frozen module of Python/frozen.c is made from (Tools/build/freeze_modules.py's rules)."""
    if name == "frozen_only":
        return root / "Tools" / "freeze" / "flag.py"
    if name == "getpath":
        return root / "Modules" / "getpath.py"
    base = root / "Lib" / pathlib.Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise BuildError(f"frozen module {name}: neither {base}.py nor {base}/__init__.py exists")


def frozen_modules(root):
    """The modules Python/frozen.c includes (frozen_modules/<name>.h), plus getpath (Modules/getpath.c)."""
    names = re.findall(r'#include "frozen_modules/([\w.]+)\.h"', (root / "Python" / "frozen.c").read_text())
    if not names:
        raise BuildError("Python/frozen.c includes no frozen_modules/*.h: the frozen module list has moved")
    return names + ["getpath"]


def freeze(root, build_python, version, log, env):
    """Python/frozen_modules/*.h: marshalled code, so the build Python must be the source's X.Y."""
    x_y = ".".join(version.split(".")[:2])
    found = subprocess.run([build_python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], env=env,
                           capture_output=True, text=True).stdout.strip()
    if found != x_y:
        raise BuildError(f"--build-python {build_python} is Python {found or '(did not run)'}, the source {version}: "
                         "the frozen modules' bytecode needs the same X.Y")
    out = root / "Python" / "frozen_modules"
    out.mkdir(exist_ok=True)
    for name in frozen_modules(root):
        run([build_python, str(root / "Programs" / "_freeze_module.py"), name,
             str(frozen_module_source(root, name)), str(out / f"{name}.h")], root, env, log)


def _include(path, root, deps):
    if path.startswith("<"):
        dep, _, _rest = path[1:].partition(">")
        if dep not in deps:
            raise BuildError(f"a PCbuild project needs the C library {dep!r}: pass --dep {dep} PREFIX ORIGIN")
        return str(deps[dep] / "include")
    return str(root / path)


def compile_units(root, projects, deps):
    """[(source path, object name, compiler args)] of the projects' C files, each file once."""
    units, seen = [], set()
    for project in projects:
        defines = [d for d in project.defines if d.split("=")[0] not in DROPPED_DEFINES]
        for name, old, new, _why in DEFINE_CHANGES:
            if project.name == name:
                if old not in defines:
                    raise BuildError(f"PCbuild/{name}.vcxproj no longer defines {old}: update DEFINE_CHANGES")
                defines = [new if d == old else d for d in defines if d != old or new]
        include_dirs = list(project.include_dirs)
        for name, drop, _why in INCLUDE_DROPS:
            if project.name == name:
                if drop not in include_dirs:
                    raise BuildError(f"PCbuild/{name}.vcxproj no longer includes {drop}: update INCLUDE_DROPS")
                include_dirs.remove(drop)
        # The libraries' include directories come from PCbuild's .props files (openssl.props, libffi.props), not read.
        include_dirs += [f"<{dep}>" for dep in EXTENSIONS.get(project.name, [])]
        for source in project.sources:
            if source.path.startswith("<") or source.path in seen:
                continue  # an external library's file (its archive is linked), or expat twice
            seen.add(source.path)
            module_define = "Py_BUILD_CORE_BUILTIN" if project.name != "pythoncore" else None
            file_defines = list(source.defines) + FILE_DEFINES.get(source.path, [])
            args = [*(f"-D{d}" for d in BASE_DEFINES + list(defines) + file_defines
                      if d.split("=")[0] not in DROPPED_DEFINES)]
            if module_define:
                args.append(f"-D{module_define}")
            late = {d for name, d, _why in LATE_INCLUDES if name == project.name}
            for inc in dict.fromkeys([*source.include_dirs, *include_dirs, *BASE_INCLUDES, SHIM_DIR]):
                args.append(("-idirafter" if inc in late else "-I") + _include(inc, root, deps))
            obj = source.path.replace("/", "_").removesuffix(".c") + ".o"
            units.append((source.path, obj, args))
    return units


def _compile(cc, root, objdir, unit, log_dir, env):
    path, obj, args = unit
    cmd = [cc, *CFLAGS, *args, "-c", str(root / path), "-o", str(objdir / obj)]
    result = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, errors="replace")
    (log_dir / (obj + ".log")).write_text("$ " + " ".join(cmd) + "\n" + result.stdout + result.stderr)
    return path, result.returncode


def compile_all(cc, root, objdir, units, jobs, log, env):
    log_dir = objdir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for path, status in pool.map(lambda u: _compile(cc, root, objdir, u, log_dir, env), units):
            if status:
                failed.append(path)
    for entry in sorted(log_dir.iterdir()):
        log.write(entry.read_text())
    if failed:
        raise BuildError(f"{len(failed)} of {len(units)} C files failed to compile: {', '.join(failed[:10])} (the log has the errors)")


def _dep_archives(prefix):
    listing = prefix / LINK_ORDER_FILE
    if listing.is_file():
        return [prefix / "lib" / name for name in listing.read_text().split()]
    return sorted((prefix / "lib").glob("*.a"))


def build(args, log):
    work = scratch_dir(args.output)
    root = extract_source(args.source, work / "src")
    deps = {name: pathlib.Path(prefix).resolve() for name, prefix, _origin in args.dep}
    env = build_env(work, args.cc, args.ar, ZIG_GLOBAL_CACHE_DIR=str(work / "zig-cache"))
    cc, ar = env["CC"], env["AR"]
    windows_sources.apply_fixes(root)
    windows_sources.write_header_shims(root / SHIM_DIR)
    (root / "PC" / "pyconfig.h").write_text(windows_sources.pyconfig_h((root / "PC" / "pyconfig.h.in").read_text()))
    (root / "PC" / "config.c").write_text(windows_sources.config_c((root / "PC" / "config.c").read_text(), list(EXTENSIONS)))
    freeze(root, args.build_python, args.version, log, env)
    projects = [pcbuild.read_project(root, name, PROPERTIES) for name in ["pythoncore", *EXTENSIONS]]
    units = compile_units(root, projects, deps)
    objdir = work / "obj"
    compile_all(cc, root, objdir, units, args.jobs, log, env)
    out = pathlib.Path(args.output)
    libs_dir = out / "libs"  # not lib/: Windows' names are case-insensitive, Lib/ is the standard library
    libs_dir.mkdir(parents=True)
    ldversion = ".".join(args.version.split(".")[:2])
    libpython = libs_dir / f"libpython{ldversion}.a"
    run([ar, "rcs", str(libpython), *sorted(str(objdir / u[1]) for u in units)], objdir, env, log)
    archives = [libpython]
    linked = [name for name in LINK_ORDER if name in deps]
    for name in linked:
        for archive in _dep_archives(deps[name]):
            shutil.copy(archive, libs_dir / archive.name)
            archives.append(libs_dir / archive.name)
    shutil.copytree(root / "Include", out / "include")
    shutil.copy(root / "PC" / "pyconfig.h", out / "include" / "pyconfig.h")
    # The inittab as compiled (its #if conditions resolved by the preprocessor with config.c's own flags).
    config_unit = next(u for u in units if u[0] == "PC/config.c")
    preprocessed = subprocess.run([cc, *CFLAGS, *config_unit[2], "-E", str(root / "PC" / "config.c")], cwd=root, env=env,
                                  capture_output=True, text=True, check=True).stdout
    (out / "config.c").write_text(windows_descriptor.resolved_config_c((root / "PC" / "config.c").read_text(),
                                                                       windows_descriptor.compiled_entries(preprocessed)))
    shutil.copytree(root / "Lib", out / "Lib", ignore=shutil.ignore_patterns(*STDLIB_LEFT_OUT, "__pycache__"))
    main = objdir / "python_main.o"
    run([cc, *CFLAGS, *(f"-D{d}" for d in BASE_DEFINES), *(f"-I{root / i}" for i in BASE_INCLUDES),
         "-c", str(root / "Programs" / "python.c"), "-o", str(main)], root, env, log)
    libs = [f"-l{name}" for name in args.system_library]
    # python.exe beside Lib/: getpath finds the standard library by its landmark (Lib/os.py), no PYTHONHOME needed.
    exe = out / "python.exe"
    # -s: no python.pdb. lld-link's PDB (10.7 MB of CodeView nobody ships) named its own absolute
    # path in python.exe, which then differed between two checkouts (test_reproducible.py).
    run([cc, "-municode", "-s", "-o", str(exe), str(main), *map(str, archives), *libs], root, env, log)
    if args.exe:
        shutil.copy(exe, args.exe)
    (out / "LINK").write_text("".join(f"{a.relative_to(out)}\n" for a in archives) + "".join(f"{lib}\n" for lib in libs))
    config_c = (out / "config.c").read_text()
    origins = {name: origin for name, _prefix, origin in args.dep}
    builtins = dict(windows_descriptor.inittab(config_c))
    windows_descriptor.write(
        args.descriptor,
        version=args.version,
        target_triple=args.target,
        archives=[str(a.relative_to(out)) for a in archives],
        system_libraries=args.system_library,
        config_c_text=config_c,
        license_entries=windows_descriptor.licenses(args.version, root, out, [(n, deps[n], origins[n]) for n in linked], builtins),
    )


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="CPython source archive")
    parser.add_argument("--version", required=True, help="its full version, e.g. 3.13.15")
    parser.add_argument("--build-python", required=True, help="a python<X.Y> of the same X.Y for the build machine")
    parser.add_argument("--cc", required=True)
    parser.add_argument("--ar", required=True)
    parser.add_argument("--dep", nargs=3, action="append", default=[], metavar=("NAME", "PREFIX", "ORIGIN"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", required=True)
    parser.add_argument("--exe", help="also write python.exe here")
    parser.add_argument("--system_library", action="append", default=[],
                        help="a Windows import library every link names (the target row's system_libraries)")
    parser.add_argument("--target", required=True, help="the target's triple (the descriptor's target_triple), e.g. x86_64-windows-gnu")
    parser.add_argument("--descriptor", required=True, help="write the distribution's descriptor (JSON) here")
    parser.add_argument("--log", required=True)
    args = parser.parse_args(expand_param_files(argv))
    args.build_python = os.path.abspath(args.build_python)
    # Absolute: steps run in the scratch directory; Bazel passes paths relative to the execution root.
    args.cc, args.ar, args.output = (os.path.abspath(p) for p in (args.cc, args.ar, args.output))
    args.exe = args.exe and os.path.abspath(args.exe)
    args.descriptor = os.path.abspath(args.descriptor)
    args.dep = [(name, prefix, os.path.abspath(origin)) for name, prefix, origin in args.dep]
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    status, _ = logged_build(args.log, f"static CPython {args.version} for Windows", lambda log: build(args, log))
    return status


if __name__ == "__main__":
    sys.exit(main())
