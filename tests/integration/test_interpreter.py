"""sysconfig and sys.path in every py_static_binary, and py_static_interpreter as python3, end to end."""

import json
import os
import pathlib
import subprocess
import textwrap

import pytest

MUSL = "--platforms=//platforms:linux_musl"
TARGETS = {
    "probe": "//tests/interpreter:sysconfig_probe",
    "pytest": "//tests/interpreter:pytest",
    "python": "//examples/python",
    "python_with_packaging": "//tests/interpreter:python_with_packaging",
}
VERSION = "3.13.15"


@pytest.fixture(scope="module")
def binaries(bazel):
    bazel.run("build", *TARGETS.values(), MUSL)
    return {name: str(bazel.output_file(target, MUSL)) for name, target in TARGETS.items()}


def run(cmd, tmp_path, env=None, **kwargs):
    """Runs with a minimal environment (plus `env`) and a private TMPDIR, in tmp_path."""
    full_env = {"TMPDIR": str(tmp_path / "tmp"), **(env or {})}
    os.makedirs(full_env["TMPDIR"], exist_ok=True)
    kwargs.setdefault("cwd", tmp_path)
    return subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=120, **kwargs)


# --- sysconfig and sys.path in a sealed py_static_binary ------------------------------------


@pytest.fixture(scope="module")
def probe(binaries, tmp_path_factory):
    result = run([binaries["probe"]], tmp_path_factory.mktemp("probe"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sysconfig_config_vars_are_the_distributions_with_paths_below_the_executable(binaries, probe):
    exe = binaries["probe"]
    config = probe["config_vars"]
    assert config["EXT_SUFFIX"] == ".cpython-313-x86_64-linux-musl.so"
    assert config["SOABI"] == "cpython-313-x86_64-linux-musl" and config["MULTIARCH"] == "x86_64-linux-musl"
    assert config["Py_GIL_DISABLED"] == 0 and config["Py_ENABLE_SHARED"] == 0 and config["py_version_nodot"] == "313"
    assert config["prefix"] == config["exec_prefix"] == exe
    assert (config["LIBDIR"], config["INCLUDEPY"], config["BINDIR"]) == (f"{exe}/lib", f"{exe}/include/python3.13", f"{exe}/bin")
    assert probe["prefix"] == [exe] * 4 and probe["executable"] == exe
    assert probe["all_config_vars"] > 500


def test_sysconfig_get_platform(probe):
    assert probe["platform"] == "linux-x86_64"


def test_sysconfig_get_paths_are_sealed_below_the_executable(binaries, probe):
    exe = binaries["probe"]
    assert probe["default_scheme"] == "posix_prefix"
    assert probe["paths"]["stdlib"] == f"{exe}/lib/python3.13" and probe["paths"]["scripts"] == f"{exe}/bin"
    assert probe["paths"]["data"] == exe, "the prefix itself"
    for name, path in probe["paths"].items():
        if name != "data":
            assert path.startswith(exe + "/"), (name, path)
            assert not os.path.exists(path), "nothing exists below a regular file"


def test_packaging_sys_tags_match_the_tags_the_ruleset_picks_wheels_by(probe):
    from starlark_tables import by_cpu
    from pystatic.repository.wheels.platforms import platforms_of

    # The table's row as the repository rule writes it (constraint labels do not change the tags).
    (x86_64,) = platforms_of([dict(by_cpu()["x86_64"], constraints=[])], VERSION)
    ruleset = [str(t) for t in x86_64.supported_tags()]
    # packaging finds musl by the executable's program interpreter (PT_INTERP), which a static
    # executable has none of: the runtime answers with the musl it links (_pystatic_bootstrap's
    # MuslVersionFinder), so the tags are the ruleset's musllinux ones, plus packaging's plain linux_x86_64.
    assert [t for t in probe["sys_tags"] if not t.endswith("-linux_x86_64")] == ruleset
    assert probe["sys_tags"][:2] == ["cp313-cp313-linux_x86_64", "cp313-cp313-musllinux_1_2_x86_64"]
    assert "py3-none-any" in probe["sys_tags"] and not any("manylinux" in t for t in probe["sys_tags"])
    assert (probe["interpreter_name"], probe["interpreter_version"]) == ("cp", "313")


def test_sys_path_is_the_executable_alone(binaries, probe):
    assert probe["path"] == [binaries["probe"]]


def test_pytest_binary_runs_a_conftest_suite_from_disk_in_the_default_import_mode(binaries, tmp_path):
    suite = tmp_path / "suite"
    (suite / "pkg").mkdir(parents=True)
    (suite / "conftest.py").write_text("import pytest\n\n@pytest.fixture\ndef answer():\n    return 42\n")
    (suite / "helpers.py").write_text("def double(x):\n    return 2 * x\n")
    (suite / "test_top.py").write_text("import helpers\n\ndef test_fixture(answer):\n    assert helpers.double(answer) == 84\n")
    (suite / "pkg" / "__init__.py").write_text("")
    (suite / "pkg" / "conftest.py").write_text("import pytest\n\n@pytest.fixture\ndef word():\n    return 'static'\n")
    (suite / "pkg" / "test_pkg.py").write_text("def test_nested(word, answer):\n    assert (word, answer) == ('static', 42)\n\n"
                                                "def test_rewritten_assert():\n    x = [1, 2]\n    assert x == [1, 3]\n")
    result = run([binaries["pytest"], "-p", "no:cacheprovider", "suite"], tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 2 passed" in result.stdout, result.stdout
    assert "assert [1, 2] == [1, 3]" in result.stdout, "assertion rewriting works on files from disk"


# --- py_static_interpreter: python3's command line --------------------------------------------


def py(binaries, *args, tmp_path, env=None, input=None, name="python"):
    return run([binaries[name], *args], tmp_path, env=env, input=input)


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_c_and_argv(binaries, tmp_path):
    out = ok(py(binaries, "-c", "import sys; print(sys.argv, sys.version.split()[0], sys.flags.isolated)", "a", "b", tmp_path=tmp_path))
    assert out == f"['-c', 'a', 'b'] {VERSION} 0\n"


def test_version_and_help(binaries, tmp_path):
    assert ok(py(binaries, "--version", tmp_path=tmp_path)) == f"Python {VERSION}\n"
    assert ok(py(binaries, "-V", tmp_path=tmp_path)) == f"Python {VERSION}\n"
    help_text = ok(py(binaries, "-h", tmp_path=tmp_path))
    assert help_text.startswith("usage: ") and "-c cmd" in help_text and "-m mod" in help_text


def test_m_runs_an_embedded_module(binaries, tmp_path):
    assert ok(py(binaries, "-m", "json.tool", "--compact", tmp_path=tmp_path, input='{"a": [1, 2]}')) == '{"a":[1,2]}\n'
    out = ok(py(binaries, "-m", "platform", tmp_path=tmp_path))
    assert out.startswith("Linux-")


def test_embedded_modules_cached_is_importlibs_cache_from_source(binaries, tmp_path):
    # The importer builds __cached__ by concatenation (runtime/_pystatic_bootstrap.py: _cached); it must
    # be what importlib computes, at -O levels too (inspect --details and test_inspect print it).
    code = ("import importlib.util as u, json, unittest, email.mime.text as m; "
            "print(all(x.__cached__ == u.cache_from_source(x.__file__) for x in (json, unittest, m)), json.__cached__)")
    for flags in ([], ["-O"], ["-OO"]):
        out = ok(py(binaries, *flags, "-c", code, tmp_path=tmp_path))
        assert out.startswith("True ") and "/json/__pycache__/__init__.cpython-313" in out, (flags, out)


def test_m_runs_a_module_from_the_current_directory(binaries, tmp_path):
    (tmp_path / "tool.py").write_text("import sys\nprint('tool', __name__, sys.path[0] == __import__('os').getcwd())\n")
    assert ok(py(binaries, "-m", "tool", tmp_path=tmp_path)) == "tool __main__ True\n"


def test_script_path_directory_first_then_the_executable(binaries, tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "helper.py").write_text("VALUE = 'from disk'\n")
    (tmp_path / "app" / "main.py").write_text(textwrap.dedent("""\
        import json, sys, helper
        print(json.dumps({"file": __file__, "path": sys.path, "helper": helper.VALUE, "argv": sys.argv,
                          "json": json.__file__}))
    """))
    out = json.loads(ok(py(binaries, "app/main.py", "x", tmp_path=tmp_path)))
    exe = binaries["python"]
    assert out["path"][:2] == [str(tmp_path / "app"), exe] and out["helper"] == "from disk"
    assert out["argv"] == ["app/main.py", "x"] and out["json"] == f"{exe}/json/__init__.py"


def test_embedded_modules_come_before_files_on_disk(binaries, tmp_path):
    (tmp_path / "json.py").write_text("raise SystemExit('the file on disk shadowed the embedded stdlib')\n")
    (tmp_path / "packaging").mkdir()
    (tmp_path / "packaging" / "__init__.py").write_text("raise SystemExit('shadowed')\n")
    code = "import json, packaging; print(json.__file__, packaging.__file__)"
    exe = binaries["python_with_packaging"]
    out = ok(py(binaries, "-c", code, tmp_path=tmp_path, env={"PYTHONPATH": str(tmp_path)}, name="python_with_packaging"))
    assert out == f"{exe}/json/__init__.py {exe}/packaging/__init__.py\n"


def test_stdin_and_dash(binaries, tmp_path):
    assert ok(py(binaries, "-", "arg", tmp_path=tmp_path, input="import sys; print(6 * 7, sys.argv)\n")) == "42 ['-', 'arg']\n"
    assert ok(py(binaries, tmp_path=tmp_path, input="print('piped')\n")) == "piped\n"


def test_inspect_mode_reads_statements_after_the_command(binaries, tmp_path):
    result = py(binaries, "-q", "-i", "-c", "x = 5", tmp_path=tmp_path, input="print(x * 2)\n")
    assert result.returncode == 0 and "10" in result.stdout, result.stderr


@pytest.mark.parametrize("term, pyrepl", [("xterm-256color", True), ("dumb", False)])
def test_interactive_repl_on_a_terminal(binaries, tmp_path, term, pyrepl):
    """3.13's REPL (pyrepl) on an xterm-compatible terminal, the basic one on others, as python3."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binaries["python"], [binaries["python"]], {"TERM": term, "TMPDIR": "/tmp"})
    output = b""

    def read_until(marker, timeout=30):
        nonlocal output
        deadline = time.monotonic() + timeout
        while marker not in output and time.monotonic() < deadline:
            if select.select([fd], [], [], 1)[0]:
                try:
                    output += os.read(fd, 4096)
                except OSError:
                    break
        return marker in output

    assert read_until(b">>> "), output
    os.write(fd, b"print(6 * 7)\r")
    assert read_until(b"42"), output
    os.write(fd, b"raise SystemExit(3)\r")
    read_until(b"never", timeout=5)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 3, output
    assert f"Python {VERSION}".encode() in output, "the banner"
    assert b"Traceback" not in output, output
    # pyrepl switches on bracketed paste; the basic REPL says why pyrepl cannot run.
    assert (b"\x1b[?2004h" in output) == pyrepl, output
    assert (b"warning: can't use pyrepl" in output) == (not pyrepl), output


def flags_of(binaries, tmp_path, *flags, env=None):
    code = "import sys, json; print(json.dumps(dict((k, getattr(sys.flags, k)) for k in dir(sys.flags) if not k.startswith(('_', 'n_', 'count', 'index')))))"
    return json.loads(ok(py(binaries, *flags, "-c", code, tmp_path=tmp_path, env=env)))


@pytest.mark.parametrize(
    "flags, expect",
    [
        (["-E"], {"ignore_environment": 1}),
        (["-I"], {"isolated": 1, "ignore_environment": 1, "no_user_site": 1, "safe_path": True}),
        (["-S"], {"no_site": 1}),
        (["-s"], {"no_user_site": 1}),
        (["-B"], {"dont_write_bytecode": 1}),
        (["-b"], {"bytes_warning": 1}),
        (["-bb"], {"bytes_warning": 2}),
        (["-O"], {"optimize": 1}),
        (["-OO"], {"optimize": 2}),
        (["-q"], {"quiet": 1}),
        (["-v"], {"verbose": 1}),
        (["-X", "utf8=0"], {"utf8_mode": 0}),
        (["-X", "dev"], {"dev_mode": True}),
        (["-X", "warn_default_encoding"], {"warn_default_encoding": 1}),
        (["-X", "int_max_str_digits=5000"], {"int_max_str_digits": 5000}),
        (["-P"], {"safe_path": True}),
    ],
)
def test_flags_set_sys_flags_as_python3(binaries, tmp_path, flags, expect):
    got = flags_of(binaries, tmp_path, *flags)
    assert {k: got[k] for k in expect} == expect


# sys._debugmallocstats()'s first line names the allocator's small-block threshold.
MIMALLOC = "Small block threshold = 16384"
PYMALLOC = "Small block threshold = 512"


@pytest.mark.parametrize(
    "flags, env, expect",
    [
        ([], None, MIMALLOC),  # the binary's allocator (mimalloc), not python3's pymalloc over musl's malloc
        ([], {"PYTHONMALLOC": "pymalloc"}, PYMALLOC),
        (["-E"], {"PYTHONMALLOC": "pymalloc"}, MIMALLOC),
        (["-I"], {"PYTHONMALLOC": "pymalloc"}, MIMALLOC),
        (["-X", "dev"], None, PYMALLOC),  # dev mode: pymalloc with debug hooks, as python3
        (["-Xdev"], None, PYMALLOC),
        ([], {"PYTHONDEVMODE": "1"}, PYMALLOC),
    ],
)
def test_allocator_is_the_binarys_unless_python3s_options_choose(binaries, tmp_path, flags, env, expect):
    result = py(binaries, *flags, "-c", "import sys; sys._debugmallocstats()", tmp_path=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0].startswith(expect), result.stderr[:300]


def test_options_after_c_are_the_programs_argv_not_an_allocator_choice(binaries, tmp_path):
    code = "import sys; sys._debugmallocstats(); print(sys.argv)"
    result = py(binaries, "-c", code, "-X", "dev", tmp_path=tmp_path)
    assert result.returncode == 0 and result.stdout == "['-c', '-X', 'dev']\n", result
    assert result.stderr.splitlines()[0].startswith(MIMALLOC), result.stderr[:300]


def test_flags_change_behaviour(binaries, tmp_path):
    assert ok(py(binaries, "-O", "-c", "assert False; print('asserts off')", tmp_path=tmp_path)) == "asserts off\n"
    assert ok(py(binaries, "-OO", "-c", "def f():\n  'doc'\nprint(f.__doc__)", tmp_path=tmp_path)) == "None\n"
    result = py(binaries, "-bb", "-c", "str(b'x')", tmp_path=tmp_path)
    assert result.returncode == 1 and "BytesWarning" in result.stderr
    result = py(binaries, "-W", "error", "-c", "import warnings; warnings.warn('boom')", tmp_path=tmp_path)
    assert result.returncode == 1 and "UserWarning: boom" in result.stderr
    assert ok(py(binaries, "-u", "-c", "import sys; print(sys.stdout.write_through)", tmp_path=tmp_path)) == "True\n"
    assert "import 'json" in py(binaries, "-v", "-c", "import json", tmp_path=tmp_path).stderr
    assert "import time:" in py(binaries, "-X", "importtime", "-c", "import json", tmp_path=tmp_path).stderr
    assert ok(py(binaries, "-S", "-c", "import sys; print('site' in sys.modules)", tmp_path=tmp_path)) == "False\n"
    assert ok(py(binaries, "-c", "import sys; print('site' in sys.modules)", tmp_path=tmp_path)) == "True\n"
    (tmp_path / "s.py").write_text("print('ran')\n")
    assert ok(py(binaries, "s.py", tmp_path=tmp_path)) == "ran\n"
    assert not (tmp_path / "__pycache__").exists()
    (tmp_path / "imp.py").write_text("import s\n")
    ok(py(binaries, "imp.py", tmp_path=tmp_path))
    assert (tmp_path / "__pycache__").is_dir(), "python3 writes .pyc for modules imported from disk"
    (tmp_path / "imp2.py").write_text("import s2\n")
    (tmp_path / "s2.py").write_text("")
    ok(py(binaries, "-B", "imp2.py", tmp_path=tmp_path))
    assert not list((tmp_path / "__pycache__").glob("s2.*")), "-B writes no .pyc"


def test_pythonpath_and_environment_unless_E_or_I(binaries, tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "extra.py").write_text("X = 1\n")
    code = "import sys; print(sys.path)"
    env = {"PYTHONPATH": "lib:/nonexistent"}
    exe = binaries["python"]
    assert ok(py(binaries, "-c", code, tmp_path=tmp_path, env=env)) == str(["", exe, str(tmp_path / "lib"), "/nonexistent"]) + "\n"
    assert ok(py(binaries, "-c", "import extra; print(extra.X)", tmp_path=tmp_path, env=env)) == "1\n"
    assert ok(py(binaries, "-E", "-c", code, tmp_path=tmp_path, env=env)) == str(["", exe]) + "\n"
    assert ok(py(binaries, "-I", "-c", code, tmp_path=tmp_path, env=env)) == str([exe]) + "\n"
    flags = flags_of(binaries, tmp_path, env={"PYTHONOPTIMIZE": "2", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONVERBOSE": ""})
    assert (flags["optimize"], flags["dont_write_bytecode"]) == (2, 1)
    assert flags_of(binaries, tmp_path, "-E", env={"PYTHONOPTIMIZE": "2"})["optimize"] == 0


def test_python3_layout_lib_directory_is_searched_after_the_embedded_stdlib(binaries, tmp_path):
    import shutil

    home = tmp_path / "home"
    (home / "bin").mkdir(parents=True)
    (home / "lib" / "python3.13").mkdir(parents=True)
    shutil.copy2(binaries["python"], home / "bin" / "python3")
    (home / "lib" / "python3.13" / "ondisk.py").write_text("WHERE = 'lib'\n")
    (home / "lib" / "python3.13" / "json.py").write_text("raise SystemExit('shadowed')\n")
    code = "import sys, json, ondisk; print(sys.path, ondisk.WHERE, json.__name__)"
    exe = str(home / "bin" / "python3")
    out = ok(run([exe, "-I", "-c", code], tmp_path))
    assert out == f"{[exe, str(home / 'lib' / 'python3.13')]} lib json\n"


def test_sysconfig_in_the_interpreter(binaries, tmp_path):
    out = ok(py(binaries, "-c", "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'), sysconfig.get_paths()['purelib'])", tmp_path=tmp_path))
    assert out == f".cpython-313-x86_64-linux-musl.so {binaries['python']}/lib/python3.13/site-packages\n"


def test_sys_executable_re_executes_with_flags(binaries, tmp_path):
    code = textwrap.dedent("""\
        import subprocess, sys
        child = subprocess.run([sys.executable, *subprocess._args_from_interpreter_flags(), "-c",
                                "import sys; print(sys.flags.optimize, sys.flags.dont_write_bytecode)"],
                               capture_output=True, text=True, check=True)
        print(sys.executable, child.stdout.strip())
    """)
    assert ok(py(binaries, "-O", "-B", "-c", code, tmp_path=tmp_path)) == f"{binaries['python']} 1 1\n"


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_multiprocessing_children_re_execute_the_interpreter(binaries, tmp_path, method):
    (tmp_path / "work.py").write_text(textwrap.dedent(f"""\
        import hashlib, multiprocessing, sys

        def digest(word):
            return hashlib.sha256(word.encode()).hexdigest()[:8], sys.flags.optimize, sys.flags.dont_write_bytecode

        if __name__ == "__main__":
            multiprocessing.set_start_method("{method}")
            with multiprocessing.Pool(2) as pool:
                print(pool.map(digest, ["a", "b"]))
    """))
    out = ok(py(binaries, "-O", "-B", "work.py", tmp_path=tmp_path))
    assert out == "[('ca978112', 1, 1), ('3e23e816', 1, 1)]\n"
    assert os.listdir(tmp_path / "tmp") == []


def test_interpreter_is_fully_static(binaries):
    from pystatic.binary.verify_elf import static_problems

    assert static_problems(pathlib.Path(binaries["python"]), "EM_X86_64") == []


def test_aarch64_sysconfig_and_interpreter_under_qemu(bazel, qemu_aarch64, tmp_path):
    aarch64 = "--platforms=//platforms:linux_musl_aarch64"
    bazel.run("build", TARGETS["probe"], TARGETS["python"], aarch64)
    probe = bazel.output_file(TARGETS["probe"], aarch64)
    result = run([qemu_aarch64, str(probe)], tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["config_vars"]["EXT_SUFFIX"] == ".cpython-313-aarch64-linux-musl.so"
    assert info["platform"] == "linux-aarch64" and info["sys_tags"][0] == "cp313-cp313-linux_aarch64"
    assert info["config_vars"]["LIBDIR"] == f"{probe}/lib" and info["path"] == [str(probe)]
    python = bazel.output_file(TARGETS["python"], aarch64)
    out = ok(run([qemu_aarch64, str(python), "-c", "import platform, sys; print(platform.machine(), sys.argv[1:])", "x"], tmp_path))
    assert out == "aarch64 ['x']\n"
