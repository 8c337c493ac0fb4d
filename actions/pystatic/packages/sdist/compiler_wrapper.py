"""The compiler and linker wrappers a backend runs: compiles are recorded, shared links captured as archives.

Each wrapper is a shell script that runs build_sdist.py again (`build_sdist.py cc|cxx|ldshared ARGS...`)
with the tool roots on PYTHONPATH, so this module is found in the wrapper's process too; its state
(config.json, compiles.jsonl, links.jsonl, copies of link inputs) is in $PYSTATIC_SDIST_STATE.
"""

import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys

from pystatic.modules.names import is_native_file
from pystatic.packages.sdist.distribution_libraries import is_provided
from pystatic.packages.sdist.errors import BuildError

CXX_SUFFIXES = (".cpp", ".cc", ".cxx", ".c++", ".C", ".cp", ".CPP")
# Files a compiler command compiles (a command naming none only links).
SOURCE_SUFFIXES = (".c", ".i", ".s", ".S", ".m") + CXX_SUFFIXES
LTO_FLAGS = ("-flto", "-ffat-lto-objects", "-fno-fat-lto-objects")

# The first argument of the script that makes it a wrapper.
MODES = ("cc", "cxx", "ldshared")
# Bytecode in the action's state directory (never beside a source), shared with the backend's processes
# (build_sdist.py): the wrapper's imports are compiled once per action, not at every compile.
WRAPPER_SH = '#!/bin/sh\nPYTHONPATH="{tools}" PYTHONPYCACHEPREFIX="{pycache}" exec "{python}" -S "{script}" {mode} "$@"\n'


def make_wrappers(tools, state, script, cc, ar, cflags, provided=None, cxx_runtime=()):
    """Writes the wrappers (in `tools`) and their configuration (in `state`).

    script: the path of build_sdist.py, which each wrapper runs in its mode. provided: the
    distribution's libraries ({"links": -l names, "dirs": their lib directories}; distribution_libraries.stage),
    which a captured link leaves to the binary. Returns the programs a backend is given:
    {"cc", "cxx", "ldshared": wrappers, "ar": the target's ar, "ranlib": `ar s`}. cxx_runtime: zig's
    prebuilt C++ runtime archives for the target, which C++ links (CMake's compiler checks) get instead
    of -lc++, so zig does not build libc++ in the action (about 80 s).
    """
    # The roots of the `pystatic` namespace package (tools/ and distribution/actions/).
    roots = os.pathsep.join(os.path.dirname(os.path.abspath(p)) for p in sys.modules["pystatic"].__path__)
    wrappers = {}
    for mode in MODES:
        path = tools / mode
        path.write_text(WRAPPER_SH.format(tools=roots, pycache=pycache_dir(state), python=sys.executable, script=script, mode=mode))
        path.chmod(0o755)
        wrappers[mode] = str(path)
    wrappers["ar"] = ar
    ranlib = tools / "ranlib"  # CMake's: an archive's symbol index, which `ar s` writes
    ranlib.write_text(f'#!/bin/sh\nexec "{ar}" s "$@"\n')
    ranlib.chmod(0o755)
    wrappers["ranlib"] = str(ranlib)
    provided = {"links": list(provided["links"]), "dirs": list(provided["dirs"])} if provided else {"links": [], "dirs": []}
    config = {"cc": cc, "ar": ar, "cflags": cflags, "provided": provided,
              "cxx_runtime": [os.path.abspath(a) for a in cxx_runtime]}
    (state / "config.json").write_text(json.dumps(config))
    return wrappers


def pycache_dir(state):
    """Where the action's Python processes keep bytecode (PYTHONPYCACHEPREFIX)."""
    return str(pathlib.Path(state).absolute() / "pycache")


def read_config(state):
    """The wrappers' configuration: {"cc", "ar", "cflags", "provided": {"links", "dirs"}, "cxx_runtime"}."""
    config = json.loads((state / "config.json").read_text())
    config.setdefault("provided", {"links": [], "dirs": []})
    config.setdefault("cxx_runtime", [])
    return config


def wrapper_main(argv):
    """Entry of the wrappers: `build_sdist.py cc|ldshared ARGS...` (configured by environment)."""
    mode, args = argv[0], argv[1:]
    state = pathlib.Path(os.environ["PYSTATIC_SDIST_STATE"])
    config = read_config(state)
    if mode in ("cc", "cxx") and links_shared(args):
        # distutils links a C++ extension with CXX in LDSHARED's place: still a capture, not a link.
        mode = "ldshared"
    if mode in ("cc", "cxx"):
        args = without_lto(args)
        cxx = mode == "cxx" or is_cxx(args)
        # zig cc compiles C++ with libc++'s headers (and links libc++) when asked for -lc++. A link of
        # objects alone takes the prebuilt C++ runtime instead: zig would build it first.
        cxx_libs = (config["cxx_runtime"] if links_objects_only(args) and config["cxx_runtime"] else ["-lc++"]) if cxx else []
        cmd = [config["cc"]] + config["cflags"] + args + cxx_libs
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
        libs = [a[2:] for a in args if a.startswith("-l") and len(a) > 2]
        dirs = [a[2:] for a in args if a.startswith("-L") and len(a) > 2]
        archives, provided = link_archives(args, libs, dirs, config["provided"])
        if os.path.exists(out):
            os.unlink(out)
        os.makedirs(os.path.dirname(os.path.abspath(out)) or ".", exist_ok=True)
        run = subprocess.run([config["ar"], "rcs", out] + objects)
        if run.returncode == 0:
            record = {"out": os.path.abspath(out), "libs": libs, "provided": provided,
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


def link_archives(args, libs, dirs, provided):
    """The static libraries whose objects a captured link takes in, and the distribution's it leaves out.

    Static libraries the package built itself (build_clib, ...) and native libraries: their objects go
    in (an archive named on the command line, or `-l<name>` found as lib<name>.a in a `-L` directory,
    the first in order). The distribution's (libffi, zlib, OpenSSL, ...: `provided`) stay out, because
    every binary links them already: a second copy would clash. Other `-l`s (-lm, -lpthread) are
    musl's, linked with every binary anyway. Returns (archives, the -l names of the distribution's used).
    """
    archives, used = [], []
    for arg in args:
        if arg.endswith(".a") and not arg.startswith("-"):
            if is_provided(arg, provided["dirs"]):
                used.append(os.path.basename(arg)[3:-2] if os.path.basename(arg).startswith("lib") else arg)
            else:
                archives.append(os.path.abspath(arg))
    for lib in libs:
        found = [os.path.join(d, f"lib{lib}.a") for d in dirs if os.path.exists(os.path.join(d, f"lib{lib}.a"))]
        if found and is_provided(found[0], provided["dirs"]) or not found and lib in provided["links"]:
            used.append(lib)
        elif found:
            archives.append(os.path.abspath(found[0]))
    return archives, sorted(set(used))


def capture_link(state, out, objects, archives):
    """Copies a link's inputs while they exist (some backends build in a temporary tree they delete).

    The object defining `PyInit_<leaf>` (leaf: the output's name) is compiled again, from its
    recorded compile, with that function renamed after the object's content: unique and
    deterministic, whatever the module turns out to be called (build_sdist.finish adds the public name).
    Returns the record's fields: objects, archives (copies), init (the renamed function or None), cxx.
    """
    leaf = os.path.basename(out).split(".", 1)[0]
    original = f"PyInit_{leaf}"
    compiles = {c["out"]: c for c in read_jsonl(state / "compiles.jsonl")}
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


def without_lto(args):
    """A compile's arguments without link-time optimisation (CMake's INTERPROCEDURAL_OPTIMIZATION adds
    `-flto=thin`): the captured objects must be machine code, for the binary's link and the rename."""
    return [a for a in args if a not in LTO_FLAGS and not a.startswith("-flto=")]


def links_shared(args):
    """Whether a compiler command line links a shared object (`-shared`, or no `-c` and a `.so` output)."""
    if "-c" in args or "-E" in args or "-S" in args:
        return False
    out = args[args.index("-o") + 1] if "-o" in args[:-1] else ""
    return "-shared" in args or is_native_file(out)


def links_objects_only(args):
    """Whether a compiler command line links (no -c, -E, -S, -M...) and compiles nothing (no source file)."""
    if any(a in ("-c", "-E", "-S", "-M", "-MM", "-fsyntax-only") for a in args):
        return False
    return not any(a.endswith(SOURCE_SUFFIXES) and not a.startswith("-") for a in args)


def is_cxx(args):
    """Whether a compiler command line compiles C++: a C++ source, or `-x c++` before the sources."""
    for index, arg in enumerate(args):
        if arg in ("-x", "--language") and index + 1 < len(args):
            return args[index + 1].startswith("c++")
        if arg.startswith("-xc++"):
            return True
    return any(a.endswith(CXX_SUFFIXES) and not a.startswith("-") for a in args)


def defines_symbol(path, symbol):
    """Whether an object file names `symbol` (its string table); cheap and enough to find PyInit_.
    COFF keeps a name of at most 8 bytes in the symbol record itself, NUL-padded (PyInit_a)."""
    data, name = pathlib.Path(path).read_bytes(), symbol.encode()
    return name + b"\0" in data or len(name) == 8 and name in data


def read_jsonl(path):
    """The records of a JSON-lines log of the wrappers (compiles.jsonl, links.jsonl); none if absent."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
