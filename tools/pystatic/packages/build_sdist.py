"""Builds a package's sdist with its own PEP 517 backend into built-in modules (action PyStaticSdist).

Run by the distribution's own build-machine interpreter (x86_64 static python3.13), never the
host's. The backend (setuptools, ...) comes from hash-pinned wheels (the ruleset's build lock,
tools/pystatic/packages/sdist_build/requirements.txt), unpacked on PYTHONPATH. It builds a wheel as usual,
but sees a compiler and "linker" that capture objects instead of shared objects:
  - sysconfig describes the TARGET: a generated `_sysconfigdata_pystatic` module (selected with
    `_PYTHON_SYSCONFIGDATA_NAME`, `_PYTHON_HOST_PLATFORM`) copies the target distribution's
    build variables and sets CC/CXX/LDSHARED to the wrappers, INCLUDEPY to `<dist>/include`;
  - CC/CXX: the target's hermetic `zig cc -target <triple>` with the target's headers first; each
    compile is recorded (argv, cwd) so it can be replayed. A C++ source (by its suffix, `-x c++`,
    or any compile through CXX) gets `-lc++`, which makes zig add its libc++ headers;
  - native libraries (sources.json `native`, e.g. libyaml): their include/ is on the compiler's
    path and their lib/ in LDFLAGS, so `-lyaml` finds the archive and its objects go in;
  - LDSHARED (and a shared link through CC/CXX, as distutils links C++): archives the `.o`
    inputs (`ar rcs`) at the `-o` path, copies them (a backend may delete its build tree), and
    compiles the object defining `PyInit_<leaf>` again with it renamed after the object's content
    (`-DPyInit_<leaf>=PyInit_pystatic_<leaf>_<sha>`: every built-in shares one symbol namespace).
After the backend returns, each extension of the built wheel (`pkg/_ext.<EXT_SUFFIX>`) is matched
to its recorded link by sha256; a generated `PyInit_pystatic_<module with . -> __>` calls the
renamed function, and all objects go into one static archive. When an extension has C++ objects, the
members of zig's libc++, libc++abi and libunwind for the target go in too (the binary's link is
zig cc's, which links no C++ runtime). Outputs: that archive, a JSON list of
[module, init function] for the inittab, the wheel's other files (a directory: .py, data,
.dist-info) and the backend's log.
"""

import argparse
import collections
import hashlib
import json
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

from pystatic.common.action_args import expand_param_files

NATIVE_SUFFIXES = (".so", ".pyd")
# Backends that need a Rust toolchain and the crates registry: not available here.
RUST_BACKENDS = ("maturin",)
RUST_REQUIRES = ("maturin", "setuptools-rust", "setuptools_rust", "puccinialin")
DEFAULT_BACKEND = "setuptools.build_meta:__legacy__"
LOG_TAIL = 25
CXX_SUFFIXES = (".cpp", ".cc", ".cxx", ".c++", ".C", ".cp", ".CPP")
# zig's C++ runtime, in the order its own `zig c++` link names them.
CXX_RUNTIME = ("libc++abi.a", "libc++.a", "libunwind.a")
LTO_FLAGS = ("-flto", "-ffat-lto-objects", "-fno-fat-lto-objects")


# The target's facts the backends' setups need: its triple and row values the rule passes.
Target = collections.namedtuple("Target", ["triple", "meson_cpu_family"])


class BuildError(Exception):
    """The sdist cannot become built-ins; the message names the package, the backend and the fix."""


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement):
    return normalize(re.split(r"[\s<>=!~;\[(@]", requirement.strip(), maxsplit=1)[0])


def module_of(rel_path):
    """`pkg/sub/_ext.cpython-313-x86_64-linux-musl.so` -> pkg.sub._ext."""
    parts = rel_path.split("/")
    return ".".join(parts[:-1] + [parts[-1].split(".", 1)[0]])


def init_function(module):
    return "PyInit_pystatic_" + module.replace(".", "__")


def unpack_archive(archive, dest):
    """Unpacks an sdist (tar.gz or zip); returns its top directory (`name-version/`)."""
    dest.mkdir(parents=True, exist_ok=True)
    if str(archive).endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.startswith("/") or ".." in name.split("/"):
                    raise BuildError(f"{archive}: unsafe path in the sdist: {name}")
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    tops = [p for p in dest.iterdir()]
    return tops[0] if len(tops) == 1 and tops[0].is_dir() else dest


def unpack_wheel(wheel, dest):
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith("/") or ".." in name.split("/"):
                raise BuildError(f"{wheel}: unsafe path in the wheel: {name}")
        zf.extractall(dest)


def build_system(source_dir):
    """(backend, requires, backend_path) of the sdist's pyproject.toml (PEP 517/518 defaults)."""
    pyproject = source_dir / "pyproject.toml"
    if not pyproject.exists():
        return DEFAULT_BACKEND, ["setuptools", "wheel"], []
    import tomllib

    data = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("build-system", {})
    return (
        data.get("build-backend", DEFAULT_BACKEND),
        list(data.get("requires", ["setuptools", "wheel"])),
        list(data.get("backend-path", [])),
    )


def applicable(requires, env_dir):
    """The requirements whose markers hold for the build interpreter (packaging from the build lock)."""
    sys.path.insert(0, str(env_dir))
    try:
        from packaging.requirements import Requirement
    except ImportError:
        return requires
    finally:
        sys.path.remove(str(env_dir))
    return [r for r in requires if not Requirement(r).marker or Requirement(r).marker.evaluate()]


def check_supported(package, backend, requires, available):
    """Raises BuildError for Rust backends and build requirements the build lock does not have."""
    names = {requirement_name(r) for r in requires}
    rust = [n for n in sorted(names) if n in {normalize(r) for r in RUST_REQUIRES}]
    if backend.split(":")[0].split(".")[0] in RUST_BACKENDS or rust:
        raise BuildError(
            f"{package}: its extension is written in Rust (build backend {backend}, requires "
            f"{', '.join(rust) or backend}); Rust extensions (PyO3/maturin, setuptools-rust) are not supported "
            "yet: they need a Rust toolchain and the crates registry.\n"
            "  Fix: lock a version with a pure-Python (py3-none-any) wheel, use a pure-Python alternative, or "
            "leave the package out (pystatic.wheels(exclude = [...])). docs/extensions.md"
        )
    missing = sorted(names - set(available))
    if missing:
        raise BuildError(
            f"{package}: its build backend {backend} requires {', '.join(missing)}, which the ruleset's build lock "
            f"(tools/pystatic/packages/sdist_build/requirements.txt) does not pin; it has {', '.join(sorted(available))}.\n"
            "  Fix: add them to tools/pystatic/packages/sdist_build/requirements.in and regenerate the lock "
            "(docs/extensions.md), or use a pure-Python wheel."
        )


# --- the compiler and linker wrappers ---------------------------------------------------

WRAPPER_SH = '#!/bin/sh\nPYTHONPATH="{tools}" exec "{python}" -S -B "{script}" {mode} "$@"\n'


def wrapper_main(argv):
    """Entry of the wrappers: `build_sdist.py cc|ldshared ARGS...` (configured by environment)."""
    mode, args = argv[0], argv[1:]
    state = pathlib.Path(os.environ["PYSTATIC_SDIST_STATE"])
    config = json.loads((state / "config.json").read_text())
    if mode in ("cc", "cxx") and links_shared(args):
        # distutils links a C++ extension with CXX in LDSHARED's place: still a capture, not a link.
        mode = "ldshared"
    if mode in ("cc", "cxx"):
        args = without_lto(args)
        cxx = mode == "cxx" or is_cxx(args)
        # zig cc compiles C++ with libc++'s headers (and links libc++) when asked for -lc++.
        cmd = [config["cc"]] + config["cflags"] + args + (["-lc++"] if cxx else [])
        run = subprocess.run(cmd)
        if run.returncode == 0 and "-c" in args and "-o" in args:
            out = os.path.abspath(args[args.index("-o") + 1])
            record = {"argv": cmd, "cwd": os.getcwd(), "out": out, "cxx": cxx}
            with open(state / "compiles.jsonl", "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
        return run.returncode
    if mode == "ldshared":
        out = args[args.index("-o") + 1] if "-o" in args else "a.out"
        objects = [os.path.abspath(a) for a in args if a.endswith((".o", ".obj")) and not a.startswith("-")]
        archives = [os.path.abspath(a) for a in args if a.endswith(".a") and not a.startswith("-")]
        libs = [a[2:] for a in args if a.startswith("-l") and len(a) > 2]
        dirs = [a[2:] for a in args if a.startswith("-L") and len(a) > 2]
        # Static libraries the package built itself (build_clib, ...): their objects go in too.
        # Others (-lm, -lpthread) are musl's, linked with every binary anyway.
        for lib in libs:
            found = [os.path.join(d, f"lib{lib}.a") for d in dirs if os.path.exists(os.path.join(d, f"lib{lib}.a"))]
            archives += [os.path.abspath(found[0])] if found else []
        if os.path.exists(out):
            os.unlink(out)
        os.makedirs(os.path.dirname(os.path.abspath(out)) or ".", exist_ok=True)
        run = subprocess.run([config["ar"], "rcs", out] + objects)
        if run.returncode == 0:
            record = {"out": os.path.abspath(out), "libs": libs,
                      "sha256": hashlib.sha256(pathlib.Path(out).read_bytes()).hexdigest()}
            try:
                record.update(capture_link(state, out, objects, archives))
            except BuildError as err:
                print(f"build_sdist LDSHARED: {err}", file=sys.stderr)
                return 1
            with open(state / "links.jsonl", "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
        return run.returncode
    print(f"build_sdist wrapper: unknown mode {mode}", file=sys.stderr)
    return 2


def capture_link(state, out, objects, archives):
    """Copies a link's inputs while they exist (some backends build in a temporary tree they delete).

    The object defining `PyInit_<leaf>` (leaf: the output's name) is compiled again, from its
    recorded compile, with that function renamed after the object's content: unique and
    deterministic, whatever the module turns out to be called (finish() adds the public name).
    Returns the record's fields: objects, archives (copies), init (the renamed function or None), cxx.
    """
    leaf = os.path.basename(out).split(".", 1)[0]
    original = f"PyInit_{leaf}"
    compiles = {c["out"]: c for c in _jsonl(state / "compiles.jsonl")}
    snapshot = state / "links" / hashlib.sha256(os.path.abspath(out).encode()).hexdigest()[:16]
    if snapshot.exists():
        shutil.rmtree(snapshot)
    snapshot.mkdir(parents=True)
    copies, init, cxx = [], None, False
    for number, obj in enumerate(objects):
        dest = snapshot / f"{number:03d}_{os.path.basename(obj)}"
        record = compiles.get(obj)
        cxx = cxx or bool(record and record.get("cxx"))
        if init is None and defines_symbol(obj, original):
            if record is None:
                raise BuildError(f"{obj} defines {original} but its compile was not recorded.")
            init = f"PyInit_pystatic_{leaf}_{hashlib.sha256(pathlib.Path(obj).read_bytes()).hexdigest()[:16]}"
            argv = list(record["argv"])
            argv[argv.index("-o") + 1] = str(dest)
            argv.insert(1, f"-D{original}={init}")
            run = subprocess.run(argv, cwd=record["cwd"], capture_output=True, text=True)
            if run.returncode != 0 or not defines_symbol(dest, init):
                raise BuildError(f"recompiling {obj} with {original} renamed {init} failed:\n{run.stderr[-3000:]}")
        else:
            shutil.copyfile(obj, dest)
        copies.append(str(dest))
    libs = []
    for number, lib in enumerate(archives):
        dest = snapshot / f"lib{number:03d}_{os.path.basename(lib)}"
        shutil.copyfile(lib, dest)
        libs.append(str(dest))
    # Objects of the package's own static libraries (build_clib) are not told apart: any C++ compile counts.
    cxx = cxx or bool(archives) and any(c.get("cxx") for c in compiles.values())
    return {"objects": copies, "archives": libs, "init": init, "leaf": leaf, "cxx": cxx}


def add_licence_texts(site, texts):
    """Copies licence texts of what the archive holds besides the package (native libraries, the C++
    runtime) into the package's `.dist-info/licenses/`, which the binary's licence report lists."""
    dist_infos = sorted(p for p in pathlib.Path(site).glob("*.dist-info") if p.is_dir())
    if not dist_infos or not texts:
        return []
    licenses = dist_infos[0] / "licenses"
    licenses.mkdir(exist_ok=True)
    written = []
    for name, path in sorted(texts.items()):
        shutil.copyfile(path, licenses / name)
        written.append(name)
    return written


def cxx_runtime_licences(cc):
    """zig's licence files of libc++, libc++abi and libunwind, beside the cc wrapper's zig."""
    lib = pathlib.Path(cc).resolve().parent.parent / "ziglang" / "lib"
    texts = {f"LICENSE.{name}": lib / name / "LICENSE.TXT" for name in ("libcxx", "libcxxabi", "libunwind")}
    return {name: path for name, path in texts.items() if path.is_file()}


def trampoline_source(public, init):
    """C source of `public` (the inittab's name of a built-in) calling the renamed init function."""
    return f"void *{init}(void);\nvoid *{public}(void) {{ return {init}(); }}\n"


def without_lto(args):
    """A compile's arguments without link-time optimisation (CMake's INTERPROCEDURAL_OPTIMIZATION adds
    `-flto=thin`): the captured objects must be machine code, for the binary's link and the rename."""
    return [a for a in args if a not in LTO_FLAGS and not a.startswith("-flto=")]


def links_shared(args):
    """Whether a compiler command line links a shared object (`-shared`, or no `-c` and a `.so` output)."""
    if "-c" in args or "-E" in args or "-S" in args:
        return False
    out = args[args.index("-o") + 1] if "-o" in args[:-1] else ""
    return "-shared" in args or out.endswith(NATIVE_SUFFIXES)


def is_cxx(args):
    """Whether a compiler command line compiles C++: a C++ source, or `-x c++` before the sources."""
    for index, arg in enumerate(args):
        if arg in ("-x", "--language") and index + 1 < len(args):
            return args[index + 1].startswith("c++")
        if arg.startswith("-xc++"):
            return True
    return any(a.endswith(CXX_SUFFIXES) and not a.startswith("-") for a in args)


def cxx_runtime_archives(cc, cflags, work):
    """Paths of zig's libc++abi, libc++ and libunwind archives for the target (built in zig's cache).

    Found by linking a tiny C++ program with `-lc++ -v`, which prints the linker's command line.
    """
    probe = work / "cxx-probe"
    probe.mkdir()
    (probe / "probe.cpp").write_text("#include <stdexcept>\nint main() { try { throw std::runtime_error(\"x\"); } "
                                     "catch (const std::exception &) {} return 0; }\n")
    cmd = [cc] + cflags + ["-static", "probe.cpp", "-lc++", "-v", "-o", "probe"]
    run = subprocess.run(cmd, cwd=probe, capture_output=True, text=True)
    found = {}
    for word in (run.stdout + run.stderr).split():
        name = os.path.basename(word)
        if name in CXX_RUNTIME and os.path.isfile(word):
            found.setdefault(name, word)
    missing = [n for n in CXX_RUNTIME if n not in found]
    if run.returncode != 0 or missing:
        raise BuildError(
            f"the C++ runtime for the target could not be found: `{shlex.join(cmd)}` (exit {run.returncode}) named no "
            f"{', '.join(missing) or 'archives'}. C++ extensions need zig cc (its -lc++). Output:\n"
            + (run.stdout + run.stderr)[-2000:]
        )
    return [found[n] for n in CXX_RUNTIME]


def _jsonl(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sysconfig_module(target_sysconfigdata, overrides):
    """Source of a `_sysconfigdata_pystatic` module: the target's build variables with overrides."""
    namespace = {}
    exec(compile(pathlib.Path(target_sysconfigdata).read_text(encoding="utf-8"), str(target_sysconfigdata), "exec"), namespace)
    variables = dict(namespace["build_time_vars"])
    variables.update(overrides)
    return "# Generated by rules_pystatic's build_sdist.py: the target's sysconfig for a PEP 517 backend.\n" \
        f"build_time_vars = {variables!r}\n"


def compiler_overrides(wrappers, include_dir, cflags):
    flags = " ".join(cflags)
    return {
        "CC": wrappers["cc"], "CXX": wrappers["cxx"], "LDSHARED": wrappers["ldshared"],
        "LDCXXSHARED": wrappers["ldshared"], "BLDSHARED": wrappers["ldshared"], "CCSHARED": "",
        "CFLAGS": flags, "OPT": "", "BASECFLAGS": "", "CONFIGURE_CFLAGS": "", "CFLAGSFORSHARED": "",
        "PY_CFLAGS": flags, "PY_CFLAGS_NODIST": "", "PY_CORE_CFLAGS": flags, "CPPFLAGS": "",
        "CONFIGURE_CPPFLAGS": "", "LDFLAGS": "", "CONFIGURE_LDFLAGS": "", "PY_LDFLAGS": "", "LIBS": "",
        "INCLUDEPY": include_dir, "CONFINCLUDEPY": include_dir, "INCLUDEDIR": include_dir,
        "AR": wrappers["ar"], "ARFLAGS": "rcs",
    }


def defines_symbol(path, symbol):
    """Whether an object file names `symbol` (its string table); cheap and enough to find PyInit_."""
    return (symbol.encode() + b"\0") in pathlib.Path(path).read_bytes()


def extract_members(ar, archive, dest):
    """The objects of a static library, extracted to dest (names made unique, order kept)."""
    dest.mkdir(parents=True)
    names = subprocess.run([os.path.abspath(ar), "t", archive], capture_output=True, text=True, check=True).stdout.split()
    paths = []
    for number, name in enumerate(names):
        # `ar xN` would pick among duplicates; one member at a time by position via a fresh dir.
        out = dest / f"{number:03d}"
        out.mkdir()
        # zig's own archives (libc++.a) name members by absolute path; `ar x` takes and writes the basename.
        name = os.path.basename(name)
        subprocess.run([os.path.abspath(ar), "x", os.path.abspath(archive), name], cwd=out, check=True)
        target = dest / f"{number:03d}_{name}"
        (out / name).rename(target)
        paths.append(str(target))
    return paths


def log_tail(log_path, lines=LOG_TAIL):
    text = pathlib.Path(log_path).read_text(encoding="utf-8", errors="replace") if pathlib.Path(log_path).exists() else ""
    return "\n".join("    | " + line for line in text.rstrip().splitlines()[-lines:])


# --- meson-python ---------------------------------------------------------------------------

MESON_MAIN = "import sys\nfrom mesonbuild.mesonmain import main\nsys.exit(main())\n"


def _meson_str(value):
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def meson_native_file(python, cython):
    """A meson native file: Cython (a build-machine program for meson) from the build lock's wheel."""
    return f"[binaries]\ncython = [{_meson_str(python)}, {_meson_str(cython)}]\n"


def meson_cross_file(target, wrappers, python):
    """A meson cross file for the target: the wrappers as compilers (so compiles are recorded and the
    shared_module link of `py.extension_module` is captured), the target's sysconfig through
    `python`, and no test program run (needs_exe_wrapper: even x86_64 musl is not the build machine).
    The CPU family is meson's name (the target row's meson_cpu_family)."""
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
    lines += [
        "",
        "[properties]",
        "needs_exe_wrapper = true",
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
    cross.write_text(meson_cross_file(target, wrappers, sys.executable))
    setup_args = [f"--cross-file={cross}"]
    cython = env_dir / "cython.py"
    if cython.exists():
        native = work / "tools" / "native.ini"
        native.write_text(meson_native_file(sys.executable, cython))
        setup_args.append(f"--native-file={native}")  # meson-python adds its own (python) after it
    env["NINJA"] = str(ninja)
    env["MESON"] = str(meson)
    return {"setup-args": setup_args, "build-dir": str(work / "mesonbuild")}


# --- scikit-build-core (CMake) ----------------------------------------------------------------

def _cmake_str(value):
    return '"' + str(value).replace("\\", "/").replace('"', '\\"') + '"'


def cmake_toolchain_file(triple, wrappers, roots):
    """A CMake toolchain file for the target: the wrappers as compilers (compiles recorded, the MODULE
    link of `python_add_library` captured), the target's `ar`, and a cross build (CMAKE_SYSTEM_NAME set:
    CMake runs no test program, even for x86_64 musl) whose libraries, headers and packages are looked
    up only under `roots` (the target distribution and the native libraries), never the build machine's."""
    cpu = triple.split("-")[0]
    lines = [
        "# Generated by rules_pystatic's build_sdist.py (docs/extensions.md, scikit-build-core).",
        "set(CMAKE_SYSTEM_NAME Linux)",
        f"set(CMAKE_SYSTEM_PROCESSOR {cpu})",
        f"set(CMAKE_C_COMPILER {_cmake_str(wrappers['cc'])})",
        f"set(CMAKE_CXX_COMPILER {_cmake_str(wrappers['cxx'])})",
        f"set(CMAKE_AR {_cmake_str(wrappers['ar'])} CACHE FILEPATH \"the target's ar\")",
        f"set(CMAKE_RANLIB {_cmake_str(wrappers['ranlib'])} CACHE FILEPATH \"ar s\")",
        "set(CMAKE_FIND_ROOT_PATH " + " ".join(_cmake_str(r) for r in roots) + ")",
        "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)",
        "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)",
        "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)",
        "set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)",
        "",
    ]
    return "\n".join(lines)


def program_of_wheel(env_dir, package, name):
    """The build-machine program `name` of a build-lock wheel (ninja, cmake), made executable."""
    found = sorted(env_dir.glob(f"{package}-*.data/scripts/{name}")) + sorted(env_dir.glob(f"{package}/data/bin/{name}"))
    if not found:
        raise BuildError(f"the build environment has no {package} wheel with its program {name} "
                         "(tools/pystatic/packages/sdist_build/requirements.txt).")
    found[0].chmod(0o755)
    return found[0]


def skbuild_setup(work, env_dir, wrappers, target, env, include_dir, roots):
    """Prepares scikit-build-core's run: cmake (its wheel's `cmake` module names the program) and ninja
    (on PATH) of the build lock, the toolchain file; returns the backend's config_settings."""
    cmake = program_of_wheel(env_dir, "cmake", "cmake")
    for tool in ("ctest", "cpack"):
        extra = cmake.parent / tool
        if extra.exists():
            extra.chmod(0o755)
    ninja = program_of_wheel(env_dir, "ninja", "ninja")
    bin_dir = work / "tools" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "ninja").symlink_to(ninja)
    env["PATH"] = str(bin_dir) + os.pathsep + env["PATH"]
    toolchain = work / "tools" / "toolchain.cmake"
    toolchain.write_text(cmake_toolchain_file(target.triple, wrappers, roots))
    settings = {
        "cmake.define.CMAKE_TOOLCHAIN_FILE": str(toolchain),
        "cmake.define.CMAKE_MAKE_PROGRAM": str(ninja),
        "build-dir": str(work / "cmakebuild"),
        # `cmake --install --strip` would change the captured "shared module" (an archive): no match.
        "install.strip": "false",
        "ninja.make-fallback": "false",
        "build.verbose": "true",
        "logging.level": "INFO",
    }
    # The build interpreter's own include directory is the build machine's: the target's headers instead.
    for prefix in ("Python", "Python3"):
        settings[f"cmake.define.{prefix}_INCLUDE_DIR"] = include_dir
    return settings


# Extra preparation per backend (its module): returns the config_settings of build_wheel.
BACKEND_SETUP = {
    "mesonpy": meson_setup,
    "scikit_build_core.build": skbuild_setup,
}


# --- the build ----------------------------------------------------------------------------


def native_libraries(specs):
    """`name=prefix` of each native library (a build_native.py prefix) -> its include, lib and pkgconfig dirs."""
    libs = []
    for spec in specs:
        name, _, prefix = spec.partition("=")
        prefix = os.path.abspath(prefix)
        if not os.path.isdir(os.path.join(prefix, "include")):
            raise BuildError(f"native library {name}: {prefix} has no include/ (not a build_native.py prefix)")
        libs.append({"name": name, "prefix": prefix, "include": os.path.join(prefix, "include"),
                     "lib": os.path.join(prefix, "lib"), "pkgconfig": os.path.join(prefix, "lib", "pkgconfig"),
                     "licence": os.path.join(prefix, f"LICENSE.{name}")})
    return libs


def build(args):
    work = pathlib.Path(tempfile.mkdtemp(prefix="pystatic-sdist-")).resolve()
    try:
        return _build(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build(args, work):
    package = f"{args.package} {args.version}"
    target_dist = pathlib.Path(args.target_dist).resolve()
    include_dir = str(target_dist / "include")
    state = work / "state"
    state.mkdir()
    source = unpack_archive(pathlib.Path(args.sdist), work / "src")
    env_dir = work / "buildenv"
    available = set()
    for wheel in args.build_wheel:
        unpack_wheel(wheel, env_dir)
        available.add(normalize(pathlib.Path(wheel).name.split("-")[0]))
    backend, requires, backend_path = build_system(source)
    requires = applicable(requires, env_dir)
    check_supported(package, backend, requires, available)

    cc = os.path.abspath(args.cc)
    ar = os.path.abspath(args.ar)
    natives = native_libraries(args.native_library)
    cflags = ["-O2", "-DNDEBUG", "-isystem", include_dir] + [f for lib in natives for f in ("-isystem", lib["include"])]
    cflags += args.copt
    script = os.path.abspath(__file__)
    wrappers = {}
    tools = work / "tools"
    tools.mkdir()
    for mode in ("cc", "cxx", "ldshared"):
        path = tools / mode
        path.write_text(WRAPPER_SH.format(tools=os.pathsep.join(os.path.dirname(os.path.abspath(p)) for p in sys.modules["pystatic"].__path__), python=sys.executable, script=script, mode=mode))
        path.chmod(0o755)
        wrappers[mode] = str(path)
    wrappers["ar"] = ar
    ranlib = tools / "ranlib"  # CMake's: an archive's symbol index, which `ar s` writes
    ranlib.write_text(f'#!/bin/sh\nexec "{ar}" s "$@"\n')
    ranlib.chmod(0o755)
    wrappers["ranlib"] = str(ranlib)
    (state / "config.json").write_text(json.dumps({"cc": cc, "ar": ar, "cflags": cflags}))

    sysconfig_dir = work / "sysconfig"
    sysconfig_dir.mkdir()
    target_vars = sorted((target_dist / "lib").glob("python3*/_sysconfigdata_*.py"))
    if not target_vars:
        raise BuildError(f"{package}: the target distribution {target_dist} has no _sysconfigdata module.")
    (sysconfig_dir / "_sysconfigdata_pystatic.py").write_text(
        sysconfig_module(target_vars[0], compiler_overrides(wrappers, include_dir, cflags))
    )
    cpu = args.triple.split("-")[0]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work / "home"),
        "TMPDIR": str(work / "tmp"),
        "LC_ALL": "C.UTF-8",
        "SOURCE_DATE_EPOCH": "315532800",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONPATH": os.pathsep.join([str(sysconfig_dir), str(env_dir)] + [str(source / p) for p in backend_path]),
        "_PYTHON_SYSCONFIGDATA_NAME": "_sysconfigdata_pystatic",
        "_PYTHON_HOST_PLATFORM": f"linux-{cpu}",
        "PYSTATIC_SDIST_STATE": str(state),
        "CC": wrappers["cc"], "CXX": wrappers["cxx"], "LDSHARED": wrappers["ldshared"], "LDCXXSHARED": wrappers["ldshared"],
        "AR": ar, "CFLAGS": "", "CPPFLAGS": "",
        # setuptools appends LDFLAGS to LDSHARED: `-lyaml` then finds the native library's archive.
        "LDFLAGS": " ".join("-L" + lib["lib"] for lib in natives),
        "PKG_CONFIG_PATH": os.pathsep.join(lib["pkgconfig"] for lib in natives),
        "SETUPTOOLS_USE_DISTUTILS": "local",
    }
    for setting in args.env:
        key, _, value = setting.partition("=")
        env[key] = value
    for d in ("home", "tmp", "dist"):
        (work / d).mkdir()
    setup = BACKEND_SETUP.get(backend.split(":")[0])
    roots = [str(target_dist)] + [lib["prefix"] for lib in natives]
    target = Target(args.triple, args.meson_cpu_family)
    config_settings = setup(work, env_dir, wrappers, target, env, include_dir, roots) if setup else {}
    driver = (
        "import importlib, json, sys\n"
        "name, _, attr = sys.argv[1].partition(':')\n"
        "backend = importlib.import_module(name)\n"
        "for part in filter(None, attr.split('.')):\n"
        "    backend = getattr(backend, part)\n"
        "print('PYSTATIC_WHEEL=' + backend.build_wheel(sys.argv[2], json.loads(sys.argv[3])))\n"
    )
    log_path = pathlib.Path(args.log)
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"# {package}: PEP 517 backend {backend} (requires {', '.join(requires)}) for {args.triple}\n")
        if config_settings:
            log.write(f"# config_settings: {json.dumps(config_settings)}\n")
        for lib in natives:
            log.write(f"# native library {lib['name']}: {lib['prefix']}\n")
        log.flush()
        run = subprocess.run(
            [sys.executable, "-B", "-c", driver, backend, str(work / "dist"), json.dumps(config_settings)],
            cwd=source, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    output = log_path.read_text(encoding="utf-8", errors="replace")
    wheels = re.findall(r"^PYSTATIC_WHEEL=(.+)$", output, re.M)
    if run.returncode != 0 or not wheels:
        raise BuildError(
            f"{package}: its PEP 517 backend {backend} failed to build the sdist for {args.triple} "
            f"(exit {run.returncode}). Last lines of its log:\n{log_tail(log_path)}\n"
            "  Fix: lock a version with a pure-Python (py3-none-any) wheel, leave the package out "
            "(pystatic.wheels(exclude = [...])), or compile the extension by hand with py_static_extension; "
            "the whole log is the action's output <target>.sdist.log (docs/extensions.md, Debugging)."
        )
    return finish(args, package, backend, work, work / "dist" / wheels[-1].strip(), state)


def install_wheel(wheel, site):
    """Unpacks a wheel like an installer (purelib/platlib to the root, RECORD and .pyc dropped).

    Returns [(path of each native module, its bytes)], which are not written.
    """
    site.mkdir(parents=True, exist_ok=True)
    natives = []
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            parts = name.split("/")
            if info.is_dir() or name.endswith(".pyc") or ".." in parts or name.startswith("/"):
                continue
            if parts[0].endswith(".data") and len(parts) > 2:
                if parts[1] not in ("purelib", "platlib"):
                    continue
                parts = parts[2:]
            rel = "/".join(parts)
            if rel.endswith(NATIVE_SUFFIXES) or ".so." in parts[-1]:
                natives.append((rel, zf.read(info)))
                continue
            if parts[0].endswith(".dist-info") and parts[-1] == "RECORD":
                continue
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
    return natives


EMPTY_ARCHIVE = b"!<arch>\n"


def use_fallback(args, reason):
    """The build failed: the lock's pure-Python wheel of the same version takes its place."""
    site = pathlib.Path(args.site)
    if site.exists():
        shutil.rmtree(site)
    natives = install_wheel(pathlib.Path(args.fallback_wheel), site)
    if natives:
        raise BuildError(f"{reason}\n  (the fallback {pathlib.Path(args.fallback_wheel).name} is not pure Python)")
    pathlib.Path(args.archive).write_bytes(EMPTY_ARCHIVE)
    pathlib.Path(args.builtins).write_text("[]\n")
    note = (f"the extension could not be built, so the lock's pure-Python wheel {pathlib.Path(args.fallback_wheel).name} "
            f"is used instead. Why:\n{reason}")
    with open(args.log, "a", encoding="utf-8") as log:
        log.write("# " + note + "\n")
    return note


def finish(args, package, backend, work, wheel, state):
    natives = install_wheel(wheel, pathlib.Path(args.site))
    links = {link["sha256"]: link for link in _jsonl(state / "links.jsonl")}
    config = json.loads((state / "config.json").read_text())
    staging = work / "objects"
    staging.mkdir()
    members, builtins, cxx = [], [], False
    for index, (rel, data) in enumerate(sorted(natives)):
        module = module_of(rel)
        link = links.get(hashlib.sha256(data).hexdigest())
        if link is None:
            raise BuildError(
                f"{package}: the wheel's {rel} was not made by the captured linker (LDSHARED), so it cannot be "
                f"linked in as a built-in (backend {backend}). Fix: see docs/extensions.md, What is supported."
            )
        leaf = module.rpartition(".")[2]
        renamed = init_function(module)
        if link["init"] is None or link["leaf"] != leaf:
            raise BuildError(f"{package}: no object of {rel} defines PyInit_{leaf}, the extension's init function.")
        members += link["objects"]
        trampoline = staging / f"{index:03d}_init.c"
        trampoline.write_text(trampoline_source(renamed, link["init"]))
        run = subprocess.run([config["cc"]] + config["cflags"] + ["-c", str(trampoline), "-o", str(trampoline.with_suffix(".o"))],
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise BuildError(f"{package}: compiling {renamed} for {module} failed:\n{run.stderr[-3000:]}")
        members.append(str(trampoline.with_suffix(".o")))
        cxx = cxx or link["cxx"]
        for number, lib in enumerate(link["archives"]):
            members += extract_members(args.ar, lib, staging / f"{index:03d}_lib{number:03d}")
        builtins.append([module, renamed])
    licences = {f"LICENSE.{lib['name']}": lib["licence"] for lib in native_libraries(args.native_library)
                if os.path.exists(lib["licence"])}
    if cxx:
        licences.update(cxx_runtime_licences(config["cc"]))
        for number, lib in enumerate(cxx_runtime_archives(config["cc"], config["cflags"], work)):
            members += extract_members(args.ar, lib, staging / f"cxx{number}_{pathlib.Path(lib).stem.replace('+', 'x')}")
    add_licence_texts(args.site, licences)
    archive = pathlib.Path(args.archive)
    if archive.exists():
        archive.unlink()
    if not members:
        archive.write_bytes(EMPTY_ARCHIVE)
    else:
        run = subprocess.run([os.path.abspath(args.ar), "rcs", str(archive)] + members, capture_output=True, text=True)
        if run.returncode != 0:
            raise BuildError(f"{package}: ar failed: {run.stderr}")
    pathlib.Path(args.builtins).write_text(json.dumps(builtins, indent=1) + "\n")
    with open(args.log, "a", encoding="utf-8") as log:
        log.write(f"# built-ins: {json.dumps(builtins)}; {len(members)} objects in {archive.name} "
                  f"({archive.stat().st_size} bytes){'; with the C++ runtime (libc++, libc++abi, libunwind)' if cxx else ''}\n")
    return builtins


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="label, for messages")
    parser.add_argument("--package", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--sdist", required=True)
    parser.add_argument("--target_dist", required=True, help="the target platform's distribution directory")
    parser.add_argument("--triple", required=True)
    parser.add_argument("--meson_cpu_family", required=True, help="meson's cpu_family: the target row's meson_cpu_family")
    parser.add_argument("--cc", required=True)
    parser.add_argument("--ar", required=True)
    parser.add_argument("--copt", action="append", default=[])
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the backend")
    parser.add_argument("--build_wheel", action="append", default=[], help="a wheel of the build environment")
    parser.add_argument("--native_library", action="append", default=[],
                        help="NAME=PREFIX: a native library's headers and archives for the backend")
    parser.add_argument("--fallback_wheel", help="pure-Python wheel of the same version, used if the build fails")
    parser.add_argument("--site", required=True, help="output directory: the wheel's files but the extensions")
    parser.add_argument("--archive", required=True, help="output static archive")
    parser.add_argument("--builtins", required=True, help="output JSON [[module, init function], ...]")
    parser.add_argument("--log", required=True, help="output: the backend's log")
    return parser.parse_args(expand_param_files(argv))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("cc", "cxx", "ldshared"):
        return wrapper_main(argv)
    args = parse_args(argv)
    try:
        builtins = build(args)
    except BuildError as err:
        if not args.fallback_wheel:
            pathlib.Path(args.log).touch()
            print(f"error: {args.target}: {err}", file=sys.stderr)
            return 1
        try:
            note = use_fallback(args, str(err))
        except BuildError as again:
            print(f"error: {args.target}: {again}", file=sys.stderr)
            return 1
        print(f"note: {args.target}: {args.package} {args.version}: {note}", file=sys.stderr)
        return 0
    print(f"note: {args.target}: {args.package} {args.version} built from its sdist: built-ins "
          + ", ".join(m for m, _ in builtins), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
