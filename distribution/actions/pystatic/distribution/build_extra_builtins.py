"""Compiles the extra built-in modules (_curses, _curses_panel, readline) against a built CPython.

CPython's configure/make leaves them out (build_cpython.py LEFT_OUT: no ncurses, GNU readline is
GPL-3.0). This action compiles their C sources from the same CPython source archive against the
distribution's headers and pyconfig.h and the static ncurses and libedit (build_extra_dep.py),
with CPython's flags for built-in modules, so the CPython build's action key never changes.

What CPython's configure would have probed for these modules (which curses functions exist, which
readline API libedit offers) is probed here the same way, by compiling its test snippets, and
passed as -D flags: pyconfig.h was written without them.

Output: a directory with lib/libpystatic_extra_builtins.a (the modules' objects) and the
libraries' archives, their licence texts, and the JSON of pystatic.common.extra_builtins (which
modules, their init functions and libraries, the archives in link order, the licences).
"""

import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tarfile

from pystatic.common import descriptor as distribution_descriptor
from pystatic.common import extra_builtins
from pystatic.common.action_args import expand_param_files
from pystatic.distribution.configure_make import (
    LINK_ORDER_FILE, NO_UNWIND_TABLES, OPTIMISATION_FLAGS, SECTION_FLAGS, BuildError, build_env, logged_build, run,
    scratch_dir,
)

# module -> (its source in Modules/, the libraries it links, in link order).
MODULES = {
    "_curses": ("_cursesmodule.c", ["ncurses"]),
    "_curses_panel": ("_curses_panel.c", ["ncurses"]),
    "readline": ("readline.c", ["libedit", "ncurses"]),
}
ARCHIVE = "lib/libpystatic_extra_builtins.a"

# CPython's flags for its built-in modules (PY_BUILTIN_MODULE_CFLAGS of the distribution's
# sysconfig, without PGO: these modules are not in the profile) plus the distribution's tables.
CFLAGS = ["-fno-strict-overflow", "-DNDEBUG", "-std=c11", "-fvisibility=hidden", "-DPy_BUILD_CORE_BUILTIN",
          *OPTIMISATION_FLAGS, *SECTION_FLAGS, *NO_UNWIND_TABLES]

# What configure defines once it has found ncursesw (configure.ac, the curses section): headers,
# then each check as a compile test (a function: a symbol or macro; a variable: an int).
CURSES_HEADERS = ["HAVE_NCURSESW_NCURSES_H", "HAVE_NCURSESW_PANEL_H", "HAVE_TERM_H"]
# pyconfig.h first, as configure's confdefs.h (_XOPEN_SOURCE 700 enables ncurses' wide API).
_INCLUDES = "#include <pyconfig.h>\n#define NCURSES_OPAQUE 0\n#include <ncursesw/ncurses.h>\n"
CURSES_CHECKS = {
    "HAVE_NCURSESW": 'cchar_t wcval; setcchar(&wcval, L"x", A_NORMAL, 0, NULL); add_wch(&wcval);',
    "MVWDELCH_IS_EXPRESSION": "int rtn; rtn = mvwdelch(0,0,0); (void)rtn;",
    "WINDOW_HAS_FLAGS": "WINDOW *w = 0; w->_flags = 0;",
    "HAVE_CURSES_GETMOUSE": "MEVENT event; (void)getmouse(&event);",
    **{f"HAVE_CURSES_{name.upper()}": f"#ifndef {name}\nvoid *x = {name}; (void)x;\n#endif"
       for name in ["is_pad", "is_term_resized", "resize_term", "resizeterm", "immedok", "syncok", "wchgat",
                    "filter", "has_key", "typeahead", "use_env", "set_escdelay", "set_tabsize"]},
    **{f"HAVE_CURSES_{name}": f"int x = {name}; (void)x;" for name in ["ESCDELAY", "TABSIZE"]},
}
# configure's readline checks against libedit (--with-readline=editline): declarations and links.
READLINE_DEFINES = ["WITH_EDITLINE"]
_READLINE_INCLUDES = "#include <pyconfig.h>\n#include <stdio.h>\n#include <editline/readline.h>\n"
READLINE_CHECKS = {
    "HAVE_RL_COMPLETION_APPEND_CHARACTER": "(void)rl_completion_append_character;",
    "HAVE_RL_COMPLETION_SUPPRESS_APPEND": "(void)rl_completion_suppress_append;",
    "HAVE_RL_PRE_INPUT_HOOK": "void *x = rl_pre_input_hook; (void)x;",
    "HAVE_RL_COMPLETION_DISPLAY_MATCHES_HOOK": "void *x = rl_completion_display_matches_hook; (void)x;",
    "HAVE_RL_RESIZE_TERMINAL": "void *x = rl_resize_terminal; (void)x;",
    "HAVE_RL_COMPLETION_MATCHES": "void *x = rl_completion_matches; (void)x;",
    "HAVE_RL_CATCH_SIGNAL": "(void)rl_catch_signals;",
    "HAVE_RL_APPEND_HISTORY": "void *x = append_history; (void)x;",
    "HAVE_RL_COMPDISP_FUNC_T": "(void)sizeof(rl_compdisp_func_t *);",
    "Py_RL_STARTUP_HOOK_TAKES_ARGS": "extern int test_hook_func(const char *text, int state); rl_startup_hook = test_hook_func;",
}


def extract_modules(archive, dest):
    """Modules/<module>.c and Modules/clinic/<module>.c.h of each module, from the CPython archive."""
    wanted = {f"Modules/{src}" for src, _ in MODULES.values()} | {f"Modules/clinic/{src}.h" for src, _ in MODULES.values()}
    found = {}
    with tarfile.open(archive) as tar:
        for member in tar:
            relative = member.name.partition("/")[2]
            if relative in wanted and member.isfile():
                path = pathlib.Path(dest) / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(tar.extractfile(member).read())
                found[relative] = path
    missing = sorted(wanted - set(found))
    if missing:
        raise BuildError(f"{archive}: the CPython source has no {', '.join(missing)}")
    return pathlib.Path(dest) / "Modules"


def probe(cc, flags, includes, checks, work, env, log):
    """The names of `checks` whose snippet compiles (configure's AC_COMPILE_IFELSE, same snippets)."""
    found = []
    for name, body in checks.items():
        test = work / "conftest.c"
        test.write_text(f"{includes}\nint main(void) {{\n{body}\nreturn 0;\n}}\n")
        # zig cc cannot -fsyntax-only (it renames an output that is not there): compile to an object.
        result = subprocess.run([cc, *flags, "-c", str(test), "-o", str(work / "conftest.o")], env=env,
                                capture_output=True, text=True)
        log.write(f"probe {name}: {'yes' if result.returncode == 0 else 'no'}\n{result.stderr}")
        if result.returncode == 0:
            found.append(name)
    return found


def build(args, log):
    work = scratch_dir(args.output)
    out = pathlib.Path(args.output).resolve()
    dist = pathlib.Path(args.distribution).resolve()
    descriptor = distribution_descriptor.load(args.descriptor)
    clash = sorted(set(MODULES) & descriptor.builtin_modules)
    if clash:
        raise BuildError(f"{args.descriptor}: CPython already builds {', '.join(clash)} in: compiling them again here "
                         "would define their init functions twice. Fix: drop them from build_extra_builtins.MODULES")
    libs = {name: (pathlib.Path(prefix).resolve(), json.loads(pathlib.Path(origin).read_text()))
            for name, prefix, origin in args.lib}
    needed = sorted({lib for _, used in MODULES.values() for lib in used} - set(libs))
    if needed:
        raise BuildError(f"no --lib for {', '.join(needed)} (the extra_builtins libraries of sources.json)")
    modules_dir = extract_modules(args.source, work / "src")
    env = build_env(work, args.cc, args.ar)
    includes = [f"-I{dist / 'include'}", f"-I{dist / 'include' / 'internal'}", f"-I{dist / 'include' / 'internal' / 'mimalloc'}"]
    for prefix, _ in libs.values():
        includes += [f"-I{prefix / 'include'}", f"-I{prefix / 'include' / 'ncursesw'}"]
    curses = CURSES_HEADERS + probe(env["CC"], includes, _INCLUDES, CURSES_CHECKS, work, env, log)
    readline = READLINE_DEFINES + probe(env["CC"], includes, _READLINE_INCLUDES, READLINE_CHECKS, work, env, log)
    defines = {"_curses": curses, "_curses_panel": curses, "readline": curses + readline}
    objects = []
    for module, (source, _) in sorted(MODULES.items()):
        obj = work / f"{module}.o"
        run([env["CC"], *CFLAGS, *includes, *(f"-D{d}=1" for d in defines[module]), "-c", str(modules_dir / source),
             "-o", str(obj)], modules_dir.parent, env, log)
        objects.append(str(obj))
    (out / "lib").mkdir(parents=True, exist_ok=True)
    run([env["AR"], "rcs", str(out / ARCHIVE), *objects], work, env, log)
    archives = [ARCHIVE]
    licenses = []
    # Link order: the modules, then each library after every library that calls into it.
    for name in ["libedit", "ncurses"]:
        prefix, origin = libs[name]
        for archive in (prefix / LINK_ORDER_FILE).read_text().split():
            shutil.copy2(prefix / "lib" / archive, out / "lib" / archive)
            archives.append(f"lib/{archive}")
        shutil.copy2(prefix / f"LICENSE.{name}", out / f"LICENSE.{name}")
        licenses.append({"component": name, "version": origin["version"], "license": origin["license"],
                         "file": f"LICENSE.{name}", "source_sha256": origin["sha256"], "source_origin": origin["origin"]})
    shutil.rmtree(work, ignore_errors=True)
    left_out = descriptor.extensions_left_out
    return extra_builtins.new(
        modules={m: {"init": f"PyInit_{m}", "libraries": used, "defines": defines[m],
                     "left_out_by_cpython": left_out.get(m, {}).get("reason", "")}
                 for m, (_, used) in MODULES.items()},
        archives=archives,
        licenses=licenses,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True, help="the CPython source archive the distribution was built from")
    parser.add_argument("--distribution", required=True, help="the distribution directory (include/, pyconfig.h)")
    parser.add_argument("--descriptor", required=True, help="the distribution's descriptor")
    parser.add_argument("--lib", action="append", default=[], nargs=3, metavar=("NAME", "PREFIX", "ORIGIN_JSON"),
                        help="a library of sources.json's extra_builtins, built by build_extra_dep.py")
    parser.add_argument("--cc", required=True)
    parser.add_argument("--ar", required=True)
    parser.add_argument("--output", required=True, help="output directory")
    parser.add_argument("--builtins", required=True, help="output: the JSON of pystatic.common.extra_builtins")
    parser.add_argument("--log", required=True)
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))
    code, data = logged_build(args.log, "the extra built-in modules", lambda log: build(args, log))
    if code:
        return code
    extra_builtins.dump(data, args.builtins)
    return 0


if __name__ == "__main__":
    sys.exit(main())
