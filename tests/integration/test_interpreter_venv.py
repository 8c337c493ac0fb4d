"""`python -m venv` and pip with the static interpreter (issue 27, items 1 and 4), end to end.

//examples/python alone in an empty root (read-only, with /proc, no network), one writable
directory (/work) and a wheel directory (/wheels) that `pip download` fills at test time from the
hashed list tests/interpreter/venv_wheels/requirements.txt (--require-hashes, the musllinux wheels
of the CPU under test): the venv gets pip from the interpreter's embedded ensurepip, then pip
installs httpie (pure, a console script), msgpack and numpy (musllinux binary wheels) from
/wheels, and they run from the venv's site-packages, their extension modules through the
executable's own loader. aarch64 runs under qemu-user, which cannot start child processes here
(no binfmt handler): ensurepip's pip runs in the process there (below).
"""

import subprocess
import sys
import time

import pytest

from harness import REPO, run_in_root
from test_interpreter_wheels import gram_sum

MUSL = "--platforms=//platforms:linux_musl"
AARCH64 = "--platforms=//platforms:linux_musl_aarch64"
REQUIREMENTS = REPO / "tests" / "interpreter" / "venv_wheels" / "requirements.txt"
ENV = [("HOME", "/work/home"), ("TMPDIR", "/work/tmp"), ("PIP_NO_CACHE_DIR", "1"), ("PIP_DISABLE_PIP_VERSION_CHECK", "1")]

# What the venv's python says about itself.
PROBE = """
import importlib.resources, site, sys, sysconfig
print("executable", sys.executable, sys._base_executable)
print("prefix", sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix)
print("site", [p for p in sys.path if "site-packages" in p], site.ENABLE_USER_SITE)
print("purelib", sysconfig.get_paths()["purelib"], sysconfig.get_preferred_scheme("prefix"))
print("libdir", sysconfig.get_config_var("LIBDIR"))
import pip
print("pip", pip.__version__, pip.__file__)
wheel = next(p for p in (importlib.resources.files("ensurepip") / "_bundled").iterdir() if p.name.endswith(".whl"))
with importlib.resources.as_file(wheel) as copy:
    print("as_file keeps the name", copy.name == wheel.name)
"""

# A msgpack round trip through its C extension, a numpy matrix product (OpenBLAS).
PROGRAM = """
import msgpack, msgpack._cmsgpack
packed = msgpack._cmsgpack.Packer().pack({"k": [1, 2, 3]})
print("msgpack:", msgpack.unpackb(packed), msgpack.Unpacker is msgpack._cmsgpack.Unpacker, msgpack._cmsgpack.__file__)
import numpy
a = numpy.arange(160000).reshape(400, 400) % 7
print("numpy:", numpy.__version__, int((a @ a.T).sum()), numpy.__file__)
"""

SITE = "/work/v/lib/python3.13/site-packages"

# ensurepip as `python -m ensurepip --upgrade --default-pip` runs it, but with pip in this process:
# under qemu-user a child process cannot be started (the kernel has no handler for aarch64 ELF).
# --no-compile: with pip's own bytecode compiled under qemu this step took 210 s, without 91 s.
ENSUREPIP_IN_PROCESS = """
import ensurepip, runpy, sys
def run_pip(args, additional_paths=None):
    sys.path[:0] = additional_paths or []
    sys.argv[1:] = [*args, "--no-compile"]
    try:
        runpy.run_module("pip", run_name="__main__", alter_sys=True)
    except SystemExit as exit:
        return exit.code or 0
    return 0
ensurepip._run_pip = run_pip
sys.exit(ensurepip._bootstrap(upgrade=True, default_pip=True))
"""


def download_wheels(dest, machine):
    """The hashed list's wheels for `machine` (musllinux, CPython 3.13) into dest, by pip download."""
    platforms = [a for tag in ("musllinux_1_2", "musllinux_1_1") for a in ("--platform", f"{tag}_{machine}")]
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", "--only-binary=:all:",
           "--python-version", "3.13", "--implementation", "cp", "--abi", "cp313", *platforms,
           "-r", str(REQUIREMENTS), "-d", str(dest)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    names = sorted(p.name for p in dest.iterdir())
    assert any(n.startswith("numpy-2.5.5-cp313-cp313-musllinux_1_2_") for n in names), names
    return names


class Root:
    """An empty root holding the interpreter as /python, /wheels and a writable /work."""

    def __init__(self, bwrap, interpreter, path, runner=()):
        self.bwrap, self.interpreter, self.path, self.runner = bwrap, interpreter, path, runner
        for directory in ("work/home", "work/tmp", "wheels"):
            (path / directory).mkdir(parents=True, exist_ok=True)

    def run(self, program, *args, env=(), seconds=None):
        started = time.monotonic()
        result = run_in_root(self.bwrap, self.interpreter, self.path, "python", list(args), env=[*ENV, *env],
                             runner=self.runner, writable=["work"], program=program)
        if seconds is not None:
            seconds.append(round(time.monotonic() - started, 1))
        assert result.returncode == 0, f"{program} {' '.join(args)[:300]}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        return result


def check_venv(root):
    """The venv's python: sys.executable is its bin/python, the venv is sys.prefix (site, from pyvenv.cfg)."""
    link = root.path / "work" / "v" / "bin" / "python"
    assert link.is_symlink() and str(link.readlink()) == "/python", "venv links the static executable"
    config = (root.path / "work" / "v" / "pyvenv.cfg").read_text()
    assert "home = /\n" in config and "include-system-site-packages = false\n" in config, config
    probe = root.run("/work/v/bin/python", "-c", PROBE).stdout.splitlines()
    assert probe[:5] == [
        "executable /work/v/bin/python /python",
        "prefix /work/v /work/v /python /python",
        f"site ['{SITE}'] False",
        f"purelib {SITE} venv",
        "libdir /python/lib",  # the base installation's, as python3's in a venv
    ], probe
    assert probe[5].startswith("pip ") and probe[5].endswith(f" {SITE}/pip/__init__.py"), probe
    assert probe[6] == "as_file keeps the name True"


def check_program(root, machine):
    result = root.run("/work/v/bin/python", "-c", PROGRAM, env=[("PYSTATIC_TRACE_NATIVE", "1")])
    assert result.stdout.splitlines() == [
        f"msgpack: {{'k': [1, 2, 3]}} True {SITE}/msgpack/_cmsgpack.cpython-313-{machine}-linux-musl.so",
        f"numpy: 2.5.5 {gram_sum()} {SITE}/numpy/__init__.py",
    ]
    loaded = [line for line in result.stderr.splitlines() if line.startswith(f"pystatic native: loaded {SITE}/")]
    assert any("_cmsgpack" in line and "(file-backed," in line for line in loaded), result.stderr[-3000:]
    assert any("numpy.libs/libscipy_openblas" in line for line in loaded), result.stderr[-3000:]


def check_tags(root, machine):
    tags = root.run("/work/v/bin/python", "-m", "pip", "debug", "--verbose").stdout
    for tag in ("musllinux_1_2", "musllinux_1_1", "musllinux_1_0"):
        assert f"cp313-cp313-{tag}_{machine}" in tags, tags[-3000:]
    assert "manylinux" not in tags


@pytest.fixture(scope="module")
def timings():
    measured = {}
    yield measured
    print(f"\nvenv timings (s): {measured}")


def test_venv_pip_install_and_run_httpie_msgpack_numpy(bazel, bwrap, tmp_path, timings):
    interpreter = bazel.build_file("//examples/python", MUSL)
    root = Root(bwrap, interpreter, tmp_path / "root")
    wheels = download_wheels(root.path / "wheels", "x86_64")
    assert {"msgpack-1.2.4-cp313-cp313-musllinux_1_2_x86_64.whl", "httpie-3.2.4-py3-none-any.whl"} <= set(wheels)
    seconds = timings.setdefault("x86_64", [])
    root.run("/python", "-m", "venv", "/work/v", seconds=seconds)  # ensurepip: pip 26.2.1 from the executable
    check_venv(root)
    install = root.run("/work/v/bin/pip", "install", "--no-index", "--find-links", "/wheels", "httpie", "msgpack", "numpy",
                       seconds=seconds)
    assert "Successfully installed" in install.stdout and "numpy-2.5.5" in install.stdout, install.stdout[-2000:]
    # A console script: its shebang is the venv's python, which runs it from the venv's site-packages.
    script = (root.path / "work" / "v" / "bin" / "http").read_text()
    assert script.startswith("#!/work/v/bin/python\n"), script[:200]
    http = root.run("/work/v/bin/http", "--offline", "--ignore-stdin", "example.org", "a=1")
    assert http.stdout.splitlines()[0] == "POST / HTTP/1.1", http.stdout
    assert "Host: example.org" in http.stdout and http.stdout.endswith('\n\n{"a": "1"}'), http.stdout
    check_program(root, "x86_64")
    check_tags(root, "x86_64")


def test_include_system_site_packages_and_copies(bazel, bwrap, tmp_path):
    """pyvenv.cfg's include-system-site-packages: true keeps the user site (the base installation's
    site-packages would be below the executable: none), false drops it. A venv of copies (venv.create's
    default) has the interpreter it was made from as its base, found through `home`."""
    interpreter = bazel.build_file("//examples/python", MUSL)
    root = Root(bwrap, interpreter, tmp_path / "root")
    user_site = root.path / "work" / "home" / ".local" / "lib" / "python3.13" / "site-packages"
    user_site.mkdir(parents=True)
    (user_site / "from_user_site.py").write_text("")
    code = "import importlib.util, site, sys; print(sys.prefix, site.ENABLE_USER_SITE, importlib.util.find_spec('from_user_site') is not None)"
    for name, flags, expected in [("shared", ["--system-site-packages"], "True True"), ("own", [], "False False")]:
        root.run("/python", "-m", "venv", "--without-pip", *flags, f"/work/{name}")
        assert root.run(f"/work/{name}/bin/python3", "-c", code).stdout.split() == [f"/work/{name}", *expected.split()]
    assert root.run("/python", "-c", code).stdout.split() == ["/python", "True", "True"], "outside a venv"
    root.run("/python", "-m", "venv", "--copies", "--without-pip", "/work/copies")
    assert not (root.path / "work" / "copies" / "bin" / "python").is_symlink()
    code = "import json, sys; print(sys.executable, sys._base_executable, sys.prefix, sys.base_prefix, json.__file__)"
    assert root.run("/work/copies/bin/python", "-c", code).stdout.split() == [
        "/work/copies/bin/python", "/python", "/work/copies", "/python", "/work/copies/bin/python/json/__init__.py"]


def test_aarch64_venv_and_numpy_under_qemu(bazel, bwrap, qemu_aarch64, tmp_path, timings):
    interpreter = bazel.build_file("//examples/python", AARCH64)
    root = Root(bwrap, interpreter, tmp_path / "root", runner=(qemu_aarch64, "-cpu", "neoverse-n1"))
    download_wheels(root.path / "wheels", "aarch64")
    seconds = timings.setdefault("aarch64", [])
    root.run("/python", "-m", "venv", "--without-pip", "/work/v", seconds=seconds)
    root.run("/work/v/bin/python", "-c", ENSUREPIP_IN_PROCESS, seconds=seconds)
    check_venv(root)
    # --no-compile: numpy's bytecode compiled under qemu would double the test's time.
    root.run("/work/v/bin/python", "-m", "pip", "install", "--no-compile", "--no-index", "--find-links", "/wheels",
             "msgpack", "numpy", seconds=seconds)
    check_program(root, "aarch64")
    check_tags(root, "aarch64")
