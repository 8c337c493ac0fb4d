"""python3-style command lines of the application's executable: how programs and libraries re-run
their own interpreter, `sys.executable`, which here is the application (docs/import-protocol.md:
multiprocessing, `sys.executable -m`, `sys.executable -c`, `[sys.executable, *sys.argv]`). Imported
by _pystatic_bootstrap.main() only when the executable has arguments. Each form is recognised only
where it cannot be the application's own command line; any other goes to the application unchanged.
"""

import sys

import _frozen_importlib as _bootstrap  # importlib._bootstrap, frozen into the interpreter

_SEP = "\\" if sys.platform == "win32" else "/"
# The command of a child given a script from disk (as_python3_child): recognised as such, not run.
_RUN_SCRIPT = "import _pystatic_command_line; _pystatic_command_line.run_script()"
_OS_MODULE = "nt" if sys.platform == "win32" else "posix"


def _import(name):
    # sys.modules, not fromlist=["_"]: see _pystatic_bootstrap._import.
    __import__(name)
    return sys.modules[name]


_PYTHON_FLAGS = set("bBdEhiIOPqsSuvV")
_AST_ONLY = 0x400  # ast.PyCF_ONLY_AST, without importing ast


def _is_interpreter_flag(arg):
    return arg.startswith(("-W", "-X")) or (len(arg) > 1 and arg[0] == "-" and set(arg[1:]) <= _PYTHON_FLAGS)


def _after_interpreter_flags(argv):
    """The index of the first argument after python3's interpreter flags (-u, -E, -W arg, -X opt...)."""
    i = 1
    while i < len(argv) and _is_interpreter_flag(argv[i]):
        i += 2 if argv[i] in ("-W", "-X") else 1
    return i


def _multiprocessing_spawn_child(argv):
    """With `sys.frozen` set, multiprocessing's spawn runs `<exe> --multiprocessing-fork KEY=VALUE...`:
    how to run that child, else None."""
    if len(argv) >= 2 and argv[1] == "--multiprocessing-fork":

        def spawned():
            # Imported by a name in a variable: no edge for the pack step's import scan, which
            # would otherwise ship multiprocessing in every binary; apps that use it ship it.
            spawn = _import("multiprocessing.spawn")
            spawn.freeze_support()  # runs the child and calls sys.exit

        return spawned
    return None


def _imports_something(command):
    """Whether `command` is Python source with an import statement at its top level."""
    try:
        tree = compile(command, "<string>", "exec", _AST_ONLY)
    except (SyntaxError, ValueError):
        return False
    ast = _import("_ast")
    return any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body)


def _python_c_child(argv):
    """How to run this process if it was started as `<exe> [interpreter flags] -c COMMAND args...`
    with Python that imports something as COMMAND, else None: how libraries start their own
    interpreter (multiprocessing's forkserver and resource tracker, execnet's gateways under
    pytest-xdist: `-u -c "import sys;exec(eval(sys.stdin.readline()))"`, interpreter probes such as
    `-c "import sys; print(sys.prefix)"`). Runs it as python3 -c does (sys.argv ["-c", *args]). Any
    other value after -c is the application's own option (pytest's `-c FILE`, `-c tox.ini`)."""
    i = _after_interpreter_flags(argv)
    if i + 1 < len(argv) and argv[i] == "-c":
        command, rest = argv[i + 1], argv[i + 2 :]
    elif i < len(argv) and argv[i].startswith("-c") and len(argv[i]) > 2:
        command, rest = argv[i][2:], argv[i + 1 :]  # `-cCOMMAND`: python3 takes both
    else:
        return None
    if command == _RUN_SCRIPT:
        return lambda: _run_script_from_disk(rest)
    if not _imports_something(command):
        return None

    def run_command():
        sys.argv[:] = ["-c", *rest]
        exec(compile(command, "<string>", "exec"), sys.modules["__main__"].__dict__)

    return run_command


def _python_m_child(argv, run_as_main):
    """How to run this process if it was started as `<exe> [interpreter flags] -m <module> ...` naming a
    module embedded in it, else None: what tools that re-run their own interpreter do (pre-commit's
    `sys.executable -m pre_commit.languages.pygrep`, `sys.executable -m pip`). Runs it as python3 -m
    does, sys.argv[0] its path. Anything else, a module that is not embedded too, is the app's."""
    i = _after_interpreter_flags(argv)
    if i + 1 < len(argv) and argv[i] == "-m":
        name, rest = argv[i + 1], argv[i + 2 :]
    elif i < len(argv) and argv[i].startswith("-m") and len(argv[i]) > 2:
        name, rest = argv[i][2:], argv[i + 1 :]  # `-mvirtualenv`, as pre-commit runs it: python3 takes both
    else:
        return None
    if not all(p.isidentifier() for p in name.split(".")):
        return None
    parent = name.rpartition(".")[0]
    try:
        spec = _bootstrap._find_spec(name, __import__(parent) and sys.modules[parent].__path__ if parent else None)
    except (ImportError, AttributeError):  # a parent that is missing or no package: not a module run
        return None
    if spec is None or spec.loader is None and spec.submodule_search_locations is None:
        return None

    def module():
        sys.argv[:] = [spec.origin or name, *rest]
        run_as_main(name)

    return module


# `<exe> [interpreter flags] <exe> args...` is how a program re-runs itself under python3,
# `[sys.executable, *sys.argv]` (Django's autoreloader, self-restarts): python3 would run the script,
# which here is the application itself, so argv becomes the script's. The path must name this
# executable; any other first argument stays the application's.
def _rerun_as_own_script(argv):
    i = _after_interpreter_flags(argv)
    if i >= len(argv):
        return
    own = argv[i]
    if own.startswith("-") or own.startswith(sys._stdlib_dir + _SEP):
        return
    try:
        same = own == sys._stdlib_dir or _same_file(own, sys._stdlib_dir)
    except (OSError, ValueError):
        return
    if same:
        _apply_interpreter_flags(argv)
        argv[:] = argv[i:]


def _apply_interpreter_flags(argv):
    """python3's flags before what a python3-style command line runs, applied as python3 would have
    (-u, -B, -W, -X: runtime/_pystatic_python_flags.py; imported only then, and only when there are any)."""
    end = _after_interpreter_flags(argv)
    if end > 1:
        _import("_pystatic_python_flags").apply(argv, end)


def _same_file(a, b):
    first, second = _import(_OS_MODULE).stat(a), _import(_OS_MODULE).stat(b)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _tree_key(path):
    """The key of `path` in the executable's tree: a path below the executable, or the copy of one of its
    files the file view made for a child process (runtime/_pystatic_extract.py's file_on_disk:
    `.../rules_pystatic/extract/<blob sha256>.files/<key>`); else None."""
    if path.startswith(sys._stdlib_dir + _SEP):
        return _import("_pystatic_files")._key(path)
    marker = "/rules_pystatic/extract/" + _import("_pystatic").blob_sha256 + ".files/"
    at = path.replace(_SEP, "/").find(marker)
    if at < 0:
        return None
    return _import("_pystatic_files")._key(sys._stdlib_dir + "/" + path.replace(_SEP, "/")[at + len(marker) :])


def _tree_script(argv):
    """How to run this process if it was started as `<exe> [interpreter flags] <file of its tree> args...`,
    else None: a program running one of its own scripts with its interpreter (pip's build environments:
    `[sys.executable, <pip>/__pip-runner__.py, "install", ...]`; the file view gives the child a copy
    on disk). python3 runs the file as the script `__main__`; so does this, from the tree, with
    `__file__` and sys.argv[0] its path below the executable (what the parent named: pip's runner finds
    pip next to it), sys.path[0] its directory."""
    i = _after_interpreter_flags(argv)
    if i >= len(argv) or argv[i].startswith("-"):
        return None
    key = _tree_key(argv[i])
    tree = _import("_pystatic_tree") if key is not None else None
    if tree is None or not tree.is_file(key):
        return None
    script, rest = sys._stdlib_dir + _SEP + key.replace("/", _SEP), argv[i + 1 :]
    return lambda: _run_as_script(tree.read(key), script, [script, *rest])


def as_python3_child(argv, executables, cwd):
    """A spawn's argv (str or bytes items; fork_exec's, with its executable list and cwd) that runs
    this executable on a script from disk, `[exe, flags..., script.py, args...]` (pyproject_hooks'
    `_in_process.py` under pip and build), as `[exe, flags..., "-c", _RUN_SCRIPT, script.py, args...]`:
    the child, which takes any other positional argument for its application's (`black file.py`),
    then runs the script as python3 would. The same argv for any other spawn."""
    os = _import(_OS_MODULE)
    if not isinstance(argv, (list, tuple)) or not executables or len(argv) < 2:
        return argv
    if _fsdecode(executables[0]) != sys.executable:
        return argv
    texts = [_fsdecode(a) for a in argv]
    i = _after_interpreter_flags(texts)
    if i >= len(texts) or not texts[i].endswith(".py") or texts[i].startswith("-") or _tree_key(texts[i]) is not None:
        return argv
    script = texts[i] if texts[i].startswith(_SEP) or cwd is None else _fsdecode(cwd) + _SEP + texts[i]
    try:
        if not (os.stat(script).st_mode & 0o170000 == 0o100000):  # a regular file
            return argv
    except (OSError, ValueError):
        return argv
    insert = ["-c", _RUN_SCRIPT]
    if isinstance(argv[i], bytes):
        insert = [a.encode() for a in insert]
    return type(argv)([*argv[:i], *insert, *argv[i:]])


def _fsdecode(value):
    return value.decode(sys.getfilesystemencoding(), "surrogateescape") if isinstance(value, bytes) else value


def run_script():
    """_RUN_SCRIPT's own function, for a child that runs the command rather than recognising it."""
    _run_script_from_disk(sys.argv[1:])


def _run_script_from_disk(argv):
    """python3 `script args...`: sys.argv [script, args...], `__file__` absolute (as python3's since
    3.9)."""
    script = argv[0]
    absolute = script if script.startswith(_SEP) else _import(_OS_MODULE).getcwd() + _SEP + script
    with _import("_io").open(script, "rb") as file:
        source = file.read()
    _run_as_script(source, absolute, argv)


def _run_as_script(source, path, argv):
    """Runs `source` as python3 runs the script `path`: in __main__ with that `__file__`, sys.argv
    `argv`, sys.path[0] the script's directory."""
    sys.argv[:] = argv
    sys.path.insert(0, path.rpartition(_SEP)[0] or _SEP)
    namespace = sys.modules["__main__"].__dict__
    namespace.update(__name__="__main__", __file__=path, __spec__=None, __package__=None, __cached__=None)
    exec(compile(source, path, "exec"), namespace)


def child(argv, run_as_main):
    """What to run instead of the application if `argv` is a child's command line (multiprocessing's
    spawn, `-c <command>`, `-m <module>`, a script of the tree), with python3's flags before it
    applied; else None."""
    found = (_multiprocessing_spawn_child(argv) or _python_c_child(argv) or _python_m_child(argv, run_as_main)
             or _tree_script(argv))
    if found is not None:
        _apply_interpreter_flags(argv)
    return found


def rerun_as_own_script(argv):
    """`<exe> [flags] <exe> args...`: argv becomes the script's (see _rerun_as_own_script)."""
    _rerun_as_own_script(argv)
