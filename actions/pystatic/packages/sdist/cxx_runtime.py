"""zig's C++ runtime (libc++, libc++abi, libunwind) for the target, which C++ extensions link."""

import os
import shlex
import subprocess

from pystatic.packages.sdist.errors import BuildError

# zig's C++ runtime, in the order its own `zig c++` link names them.
CXX_RUNTIME = ("libc++abi.a", "libc++.a", "libunwind.a")


def cxx_runtime_archives(cc, cflags, work, prebuilt=()):
    """Paths of zig's libc++abi, libc++ and libunwind archives for the target: `prebuilt` (the action's
    input, distribution/toolchains/zig/runtime.bzl), else built in zig's cache by a probe.

    Found by linking a tiny C++ program with `-lc++ -v`, which prints the linker's command line. The
    probe has its own zig cache under `work`: the archives must outlive the probe's zig process (the cc
    wrapper deletes a cache it made itself when zig exits).
    """
    if prebuilt:
        given = {os.path.basename(p): p for p in prebuilt}
        missing = [n for n in CXX_RUNTIME if n not in given]
        if missing:
            raise BuildError(f"the prebuilt C++ runtime names no {', '.join(missing)} (given: {', '.join(prebuilt)}).")
        return [given[n] for n in CXX_RUNTIME]
    probe = work / "cxx-probe"
    probe.mkdir()
    (probe / "probe.cpp").write_text("#include <stdexcept>\nint main() { try { throw std::runtime_error(\"x\"); } "
                                     "catch (const std::exception &) {} return 0; }\n")
    cmd = [cc] + cflags + ["-static", "probe.cpp", "-lc++", "-v", "-o", "probe"]
    env = dict(os.environ, ZIG_GLOBAL_CACHE_DIR=str(probe / "zig-cache"), ZIG_LOCAL_CACHE_DIR=str(probe / "zig-cache"))
    run = subprocess.run(cmd, cwd=probe, env=env, capture_output=True, text=True)
    found = {}
    for word in (run.stdout + run.stderr).split():
        name = os.path.basename(word)
        path = os.path.join(probe, word)  # zig names files in a cache below its working directory relatively
        if name in CXX_RUNTIME and os.path.isfile(path):
            found.setdefault(name, path)
    missing = [n for n in CXX_RUNTIME if n not in found]
    if run.returncode != 0 or missing:
        raise BuildError(
            f"the C++ runtime for the target could not be found: `{shlex.join(cmd)}` (exit {run.returncode}) named no "
            f"{', '.join(missing) or 'archives'}. C++ extensions need zig cc (its -lc++). Output:\n"
            + (run.stdout + run.stderr)[-2000:]
        )
    return [found[n] for n in CXX_RUNTIME]
