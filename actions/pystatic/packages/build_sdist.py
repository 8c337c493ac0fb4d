"""Builds a package's sdist with its own PEP 517 backend into built-in modules (action PyStaticSdist).

Run by the distribution's own build-machine interpreter (x86_64 static python3.13), never the
host's. The backend (setuptools, ...) comes from hash-pinned wheels (the ruleset's build lock,
actions/pystatic/packages/sdist_build/requirements.txt), unpacked on PYTHONPATH. It builds a wheel as usual,
but sees a compiler and "linker" that capture objects instead of shared objects:
  - sysconfig describes the TARGET: a generated `_sysconfigdata_pystatic` module (selected with
    `_PYTHON_SYSCONFIGDATA_NAME`, `_PYTHON_HOST_PLATFORM`) copies the target distribution's
    build variables and sets CC/CXX/LDSHARED to the wrappers, INCLUDEPY to `<dist>/include`.
    Windows' CPython has no build variables (PCbuild): a Windows target gets the build machine's
    (`--sysconfig_dist`) with the same replacements, so the backend runs as for Linux (sys.platform
    is the build machine's) while every compile is the Windows toolchain's against Windows' headers;
  - CC/CXX: the target's hermetic `zig cc -target <triple>` with the target's headers first; each
    compile is recorded (argv, cwd) so it can be replayed. A C++ source (by its suffix, `-x c++`,
    or any compile through CXX) gets `-lc++`, which makes zig add its libc++ headers;
  - native libraries (sources.json `native`, e.g. libyaml): their include/ is on the compiler's
    path and their lib/ in LDFLAGS, so `-lyaml` finds the archive and its objects go in;
  - the distribution's own libraries (libffi, zlib, OpenSSL, SQLite, ...): the same, merged into one
    prefix, except that their objects stay out: `-lffi` is answered by the copy every binary links;
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

This script is main() and the build's order; each piece is a module of pystatic.packages.sdist:
pep517 (the sdist, its backend and the build lock), compiler_wrapper (the wrappers: `build_sdist.py
cc|cxx|ldshared ARGS` runs one), setuptools_config, meson, cmake (each backend's view of the target),
install, builtin_archive, cxx_runtime, licences, native_libraries and distribution_libraries.
"""

import argparse
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from pystatic.common.action_args import expand_param_files
from pystatic.common.zig_env import zig_runtime_env
from pystatic.modules.names import module_of
from pystatic.packages.sdist import compiler_wrapper, distribution_libraries, licences, pep517
from pystatic.packages.sdist.builtin_archive import EMPTY_ARCHIVE, extract_members, init_function, trampoline_source
from pystatic.packages.sdist.cmake import skbuild_setup
from pystatic.packages.sdist.cxx_runtime import cxx_runtime_archives
from pystatic.packages.sdist.errors import BuildError
from pystatic.packages.sdist.install import install_wheel
from pystatic.packages.sdist.meson import meson_setup
from pystatic.packages.sdist.native_libraries import native_libraries, pkgconfig_dirs
from pystatic.packages.sdist.setuptools_config import compiler_overrides, sysconfig_module

# Extra preparation per backend (its module): returns the config_settings of build_wheel.
BACKEND_SETUP = {
    "mesonpy": meson_setup,
    "scikit_build_core.build": skbuild_setup,
}


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
    source = pep517.unpack_archive(pathlib.Path(args.sdist), work / "src")
    env_dir = work / "buildenv"
    available = set()
    for wheel in args.build_wheel:
        pep517.unpack_wheel(wheel, env_dir)
        available.add(pep517.normalize(pathlib.Path(wheel).name.split("-")[0]))
    backend, requires, backend_path = pep517.build_system(source)
    requires = pep517.applicable(requires, env_dir)
    pep517.check_supported(package, backend, requires, available)

    cc = os.path.abspath(args.cc)
    ar = os.path.abspath(args.ar)
    natives = native_libraries(args.native_library)
    # The distribution's libraries after the native ones: a package's own choice comes first.
    dist_libs = distribution_libraries.stage(args.distribution_library, work / "distlibs")
    prefixes = natives + ([dist_libs] if dist_libs else [])
    cflags = ["-O2", "-DNDEBUG", "-isystem", include_dir] + [f for lib in prefixes for f in ("-isystem", lib["include"])]
    cflags += args.copt
    tools = work / "tools"
    tools.mkdir()
    # The wrappers run this script again, in the mode main() hands to compiler_wrapper.
    wrappers = compiler_wrapper.make_wrappers(tools, state, os.path.abspath(__file__), cc, ar, cflags, dist_libs,
                                              args.cxx_runtime_archive)
    if args.build_cc:
        wrappers = {**wrappers, "build_cc": os.path.abspath(args.build_cc)}
    pkgconfig = (pkgconfig_dirs(natives, work / "pkgconfig") + ([dist_libs["pkgconfig"]] if dist_libs else [])
                 + pep517.build_env_pkgconfig_dirs(env_dir))

    sysconfig_dir = work / "sysconfig"
    sysconfig_dir.mkdir()
    sysconfig_dist = pathlib.Path(args.sysconfig_dist).resolve()
    target_vars = sorted((sysconfig_dist / "lib").glob("python3*/_sysconfigdata_*.py"))
    if not target_vars:
        raise BuildError(f"{package}: the distribution {sysconfig_dist} has no _sysconfigdata module.")
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
        # Bytecode in the action's state directory, never beside a source: the backend's processes
        # (meson, cython, a compiler wrapper per compile and per configure check) start from the
        # distribution's stdlib and the build lock's packages, which ship no .pyc; compiled once per
        # action, a wrapper starts in about 60 ms instead of 630 ms.
        "PYTHONPYCACHEPREFIX": compiler_wrapper.pycache_dir(state),
        "PYTHONNOUSERSITE": "1",
        "PYTHONPATH": os.pathsep.join([str(sysconfig_dir), str(env_dir)] + [str(source / p) for p in backend_path]),
        "_PYTHON_SYSCONFIGDATA_NAME": "_sysconfigdata_pystatic",
        "_PYTHON_HOST_PLATFORM": f"linux-{cpu}",
        "PYSTATIC_SDIST_STATE": str(state),
        "CC": wrappers["cc"], "CXX": wrappers["cxx"], "LDSHARED": wrappers["ldshared"], "LDCXXSHARED": wrappers["ldshared"],
        "AR": ar, "CFLAGS": "", "CPPFLAGS": "",
        # zig's cache for this action's compiles, kept for the action; zig's prebuilt libc for its links
        # (and the prebuilt C++ runtime for C++ links: compiler_wrapper).
        "ZIG_GLOBAL_CACHE_DIR": str(work / "zig-cache"),
        **zig_runtime_env(),
        # setuptools appends LDFLAGS to LDSHARED: `-lyaml` then finds the native library's archive
        # (and `-lffi` the distribution's, which the captured link leaves to the binary).
        "LDFLAGS": " ".join("-L" + lib["lib"] for lib in prefixes),
        # Only these .pc files, never the build machine's (pkg-config --cflags libffi: the target's).
        "PKG_CONFIG_PATH": os.pathsep.join(pkgconfig),
        "PKG_CONFIG_LIBDIR": os.pathsep.join(pkgconfig),
        "SETUPTOOLS_USE_DISTUTILS": "local",
    }
    for setting in args.env:
        key, _, value = setting.partition("=")
        env[key] = value
    for d in ("home", "tmp", "dist"):
        (work / d).mkdir()
    setup = BACKEND_SETUP.get(backend.split(":")[0])
    roots = [str(target_dist)] + [lib["prefix"] for lib in prefixes]
    target = pep517.Target(args.triple, args.meson_cpu_family)
    config_settings = setup(work, env_dir, wrappers, target, env, include_dir, roots) if setup else {}
    log_path = pathlib.Path(args.log)
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"# {package}: PEP 517 backend {backend} (requires {', '.join(requires)}) for {args.triple}\n")
        if config_settings:
            log.write(f"# config_settings: {json.dumps(config_settings)}\n")
        for lib in natives:
            log.write(f"# native library {lib['name']}: {lib['prefix']}\n")
        for name, links in (dist_libs or {}).get("libraries", {}).items():
            log.write(f"# distribution library {name} (-l{' -l'.join(links)}, linked by the binary, not copied): "
                      f"{dist_libs['prefix']}\n")
        log.flush()
        returncode = pep517.run_build_wheel(backend, work / "dist", config_settings, source, env, log)
    wheels = pep517.built_wheels(log_path.read_text(encoding="utf-8", errors="replace"))
    if returncode != 0 or not wheels:
        windows = ("  The backend ran on the build machine (sys.platform linux) with the Windows toolchain: a "
                   "setup.py that picks its C sources or libraries by sys.platform picks Linux's (docs/windows.md).\n"
                   if args.target_os == "windows" else "")
        tried, urls = pep517.download_attempts(log_path.read_text(encoding="utf-8", errors="replace"))
        download = (f"  The backend tried to download{' ' + ', '.join(urls[:3]) if urls else ''}: build actions have "
                    "no network, and what they use must be pinned. Fix: lock a version with a wheel for this "
                    "platform, or give the build that library (docs/extensions.md, Native libraries) with the "
                    "package's option to use it instead of downloading (env of its pystatic_sdist_package).\n"
                    if tried else "")
        raise BuildError(
            f"{package}: its PEP 517 backend {backend} failed to build the sdist for {args.triple} "
            f"(exit {returncode}). Last lines of its log:\n{pep517.log_tail(log_path)}\n{windows}{download}"
            "  Fix: lock a version with a pure-Python (py3-none-any) wheel, leave the package out "
            "(pystatic.wheels(exclude = [...])), or compile the extension by hand with py_static_extension; "
            "the whole log is the action's output <target>.sdist.log (docs/extensions.md, Debugging)."
        )
    return finish(args, package, backend, work, work / "dist" / wheels[-1], state)


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
    links = {link["sha256"]: link for link in compiler_wrapper.read_jsonl(state / "links.jsonl")}
    config = compiler_wrapper.read_config(state)
    staging = work / "objects"
    staging.mkdir()
    members, builtins, cxx, provided = [], [], False, []
    for index, (rel, data) in enumerate(sorted(natives)):
        module = module_of(rel)
        link = links.get(hashlib.sha256(data).hexdigest())
        if link is None:
            raise BuildError(
                f"{package}: the wheel's {rel} was not made by the captured linker (LDSHARED), so it cannot be "
                f"linked in as a built-in (backend {backend}). Fix: see docs/extensions.md, What is supported."
            )
        # The init function is named after the file (`pkg/__init__...so`: PyInit___init__), the
        # built-in after its module (module_of: `pkg`).
        leaf = rel.rsplit("/", 1)[-1].split(".", 1)[0]
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
        provided += [f"{module}: -l{lib}" for lib in link.get("provided", [])]
        for number, lib in enumerate(link["archives"]):
            members += extract_members(args.ar, lib, staging / f"{index:03d}_lib{number:03d}")
        builtins.append([module, renamed])
    texts = licences.native_library_licences(native_libraries(args.native_library))
    if cxx:
        texts.update(licences.cxx_runtime_licences(config["cc"]))
        for number, lib in enumerate(cxx_runtime_archives(config["cc"], config["cflags"], work, config["cxx_runtime"])):
            members += extract_members(args.ar, lib, staging / f"cxx{number}_{pathlib.Path(lib).stem.replace('+', 'x')}")
    licences.add_licence_texts(args.site, texts)
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
        if provided:
            log.write(f"# the distribution's libraries, left to the binary's link: {'; '.join(provided)}\n")
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
    parser.add_argument("--sysconfig_dist", required=True,
                        help="the distribution whose _sysconfigdata the backend sees (the target's; on Windows the build machine's)")
    parser.add_argument("--target_os", required=True, choices=["linux", "windows"], help="the target row's os")
    parser.add_argument("--triple", required=True)
    parser.add_argument("--meson_cpu_family", required=True, help="meson's cpu_family: the target row's meson_cpu_family")
    parser.add_argument("--cc", required=True)
    parser.add_argument("--ar", required=True)
    parser.add_argument("--build_cc", help="the build machine's C compiler (x86_64 musl, hermetic): meson's native compiler")
    parser.add_argument("--copt", action="append", default=[])
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the backend")
    parser.add_argument("--build_wheel", action="append", default=[], help="a wheel of the build environment")
    parser.add_argument("--native_library", action="append", default=[],
                        help="NAME=PREFIX: a native library's headers and archives for the backend")
    parser.add_argument("--distribution_library", action="append", default=[],
                        help="NAME=PREFIX: a C library of the distribution (build_dep.py prefix), offered but not copied")
    parser.add_argument("--cxx_runtime_archive", action="append", default=[],
                        help="zig's prebuilt libc++abi.a, libc++.a and libunwind.a for the target (else built here)")
    parser.add_argument("--fallback_wheel", help="pure-Python wheel of the same version, used if the build fails")
    parser.add_argument("--site", required=True, help="output directory: the wheel's files but the extensions")
    parser.add_argument("--archive", required=True, help="output static archive")
    parser.add_argument("--builtins", required=True, help="output JSON [[module, init function], ...]")
    parser.add_argument("--log", required=True, help="output: the backend's log")
    return parser.parse_args(expand_param_files(argv))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in compiler_wrapper.MODES:
        return compiler_wrapper.wrapper_main(argv)
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
