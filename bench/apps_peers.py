"""The real applications of bench/apps.py: what each runs, the inputs of its real command, and its
builds by the other packagers (PyInstaller --onefile, Nuitka --onefile) from the same pins. Used by
bench/apps.py only."""

import hashlib
import os
import pathlib
import re
import shutil
import subprocess
import time

import peers

REPO = pathlib.Path(__file__).resolve().parents[1]
LOCKS = {"aws": REPO / "bench" / "apps" / "aws.txt", "apps": REPO / "bench" / "apps" / "requirements.txt"}

# name (the binary's, as bench/apps/BUILD.bazel): its distribution, the lock, the console entry point, the app's own
# packages (what a peer is told to take whole: --collect-all / --include-package(-data)), the real
# command (run in the work directory's data/, see write_inputs) and what its output must contain.
APPS = {
    "aws": {"dist": "awscli", "lock": "aws", "entry": "awscli.clidriver:main", "packages": ["awscli"],
            "command": ["ec2", "run-instances", "--generate-cli-skeleton"], "expect": '"ImageId"',
            # awscli imports its vendored botocore and s3transfer as top-level packages (a finder that
            # points PathFinder at its own directory); Nuitka leaves no .py files there to find
            # ("No module named 'botocore'"), so it compiles them as top-level packages from that directory.
            "nuitka_options": ["--include-package=botocore", "--include-package=s3transfer",
                               "--include-package-data=botocore"],
            "nuitka_paths": ["awscli"]},
    "black": {"dist": "black", "lock": "apps", "entry": "black:patched_main", "packages": ["black", "blib2to3"],
              "command": ["--diff", "-q", "format_me.py"], "expect": "+++ format_me.py"},
    "http": {"dist": "httpie", "lock": "apps", "entry": "httpie.__main__:main", "packages": ["httpie"],
             "command": ["--offline", "--ignore-stdin", "--print=HB", "POST", "example.org/api", "name=value", "n:=1"],
             "expect": '"name": "value"'},
    "sphinx-build": {"dist": "Sphinx", "lock": "apps", "entry": "sphinx.cmd.build:main",
                     "packages": ["sphinx", "alabaster", "sphinxcontrib.applehelp", "sphinxcontrib.devhelp",
                                  "sphinxcontrib.htmlhelp", "sphinxcontrib.jsmath", "sphinxcontrib.qthelp",
                                  "sphinxcontrib.serializinghtml"],
                     "command": ["-E", "-a", "-b", "html", "docs", "/tmp/html"], "expect": "build succeeded",
                     # Sphinx loads pygments' formatters and lexers by name (`pygments.formatters.latex`), and
                     # docutils' LaTeX writer reads its docutils.sty when imported; Jinja imports the
                     # extensions Sphinx's templates name by their names (`jinja2.ext`: "No module named" in
                     # the html build of session 30's Nuitka binary).
                     "nuitka_options": ["--include-package=pygments", "--include-package-data=docutils",
                                        "--include-package=jinja2"]},
    "ipython": {"dist": "ipython", "lock": "apps", "entry": "IPython:start_ipython", "packages": ["IPython"],
                "command": ["--quick", "-c", "import json; print(sum(range(10)))"], "expect": "45",
                # IPython's own -c: Nuitka's guard against a program that runs itself with -c refuses
                # it by default ("the program tried to call itself with '-c' argument"), naming this flag.
                "nuitka_options": ["--no-deployment-flag=self-execution"]},
    "check-jsonschema": {"dist": "check-jsonschema", "lock": "apps", "entry": "check_jsonschema:main",
                         "packages": ["check_jsonschema", "jsonschema_specifications"],
                         "command": ["--schemafile", "schema.json", "instance.json"], "expect": "ok -- validation done"},
}

PAGES = 6


def write_inputs(data):
    """The real commands' inputs: a Python file to format, a small Sphinx project, a JSON schema."""
    data.mkdir(parents=True)
    shutil.copy2(REPO / "bench" / "native_wheels.py", data / "format_me.py")
    docs = data / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text('project = "bench"\nextensions = ["sphinx.ext.autodoc"]\nhtml_theme = "alabaster"\n')
    (docs / "index.rst").write_text("Bench\n=====\n\n.. toctree::\n\n" + "".join(f"   page{i}\n" for i in range(PAGES)))
    for i in range(PAGES):
        (docs / f"page{i}.rst").write_text(
            f"Page {i}\n=======\n\n" + "".join(
                f"Section {j}\n---------\n\nSome *text* with ``code`` and a `link <https://example.org/{j}>`_.\n\n"
                f".. code-block:: python\n\n   def f{j}(x):\n       return x * {j}\n\n- item one\n- item two\n\n"
                for j in range(8)))
    (data / "schema.json").write_text('{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", '
                                      '"properties": {"name": {"type": "string"}, "n": {"type": "integer", "minimum": 0}}, '
                                      '"required": ["name"]}\n')
    (data / "instance.json").write_text('{"name": "bench", "n": 3}\n')


def check_output(app, stdout):
    expect = APPS[app]["expect"]
    return "" if expect in stdout else f"output lacks {expect!r}: {stdout[:80]!r}"


def pins(lock):
    """`name==version` of every package of a hashed requirements lock (the hashes are the musllinux
    wheels'; a glibc venv takes the manylinux wheels of the same versions)."""
    return [line.split()[0] for line in LOCKS[lock].read_text().splitlines() if "==" in line and not line.startswith("#")]


def site(venv_python, lock):
    """The lock's pins installed (pip --no-deps --no-compile) into a cached directory for the peers' Python."""
    key = hashlib.sha256(LOCKS[lock].read_bytes() + str(venv_python).encode()).hexdigest()[:12]
    path = peers.CACHE / f"apps-site-{lock}-{key}"
    if not (path / ".done").exists():
        shutil.rmtree(path, ignore_errors=True)
        result = subprocess.run([str(venv_python), "-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--target", str(path),
                                 *pins(lock)], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"pip install of {LOCKS[lock]}'s pins failed:\n{result.stderr[-2000:]}")
        (path / ".done").write_text("")
    return path


def musl_site(pip_python, lock):
    """The lock's own wheels (the hashed musllinux and pure ones the static build embeds) installed for
    CPython 3.13 on musl into a cached directory: the site-packages of a venv of the static interpreter."""
    key = hashlib.sha256(LOCKS[lock].read_bytes()).hexdigest()[:12]
    path = peers.CACHE / f"apps-site-musl-{lock}-{key}"
    if not (path / ".done").exists():
        shutil.rmtree(path, ignore_errors=True)
        result = subprocess.run([str(pip_python), "-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--only-binary=:all:",
                                 "--platform", "musllinux_1_2_x86_64", "--python-version", "3.13", "--implementation", "cp",
                                 "--target", str(path), "-r", str(LOCKS[lock])], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"pip install of {LOCKS[lock]}'s musllinux wheels failed:\n{result.stderr[-2000:]}")
        (path / ".done").write_text("")
    return path


def _normal(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def compiled_only_in_venv(site_dir, static_wheels):
    """Packages the venv has compiled (a shared object in its RECORD: a manylinux wheel, mypyc's too)
    where the static build has a pure wheel (`static_wheels`: the repository's wheels.json, package ->
    {platform key: wheel file}); the same versions, not the same code, so their times differ by more
    than the interpreter (black: mypyc's build on glibc, no musllinux wheel)."""
    pure = {_normal(name) for name, files in static_wheels.items() if files.get("x86_64", "").endswith("-none-any.whl")}
    found = []
    for record in sorted(pathlib.Path(site_dir).glob("*.dist-info/RECORD")):
        name = record.parent.name.split("-")[0]
        if _normal(name) in pure and any(line.split(",")[0].endswith(".so") for line in record.read_text().splitlines()):
            found.append(name)
    return found


def install(site_dir, dest):
    """A cached site directory (site, musl_site) into `dest` (a venv's site-packages)."""
    shutil.copytree(site_dir, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".done", "bin"))


def launcher(app):
    module, function = APPS[app]["entry"].split(":")
    return f"import sys\nfrom {module} import {function}\nif __name__ == \"__main__\":\n    sys.exit({function}())\n"


def packager_options(packager, app):
    """What `packager` is told to take for `app`: its own packages whole, with its distribution's
    metadata (click's `--version` reads it; Nuitka takes only that of distributions it compiles)."""
    packages = APPS[app]["packages"]
    if packager in ("pyinstaller", "pyinstaller-strip"):
        # --collect-all takes the packages' metadata too; --strip: libpython and the extensions (the
        # peers' Python has debug information).
        return [f"--collect-all={p}" for p in packages] + (["--strip"] if packager == "pyinstaller-strip" else [])
    if packager == "nuitka":
        return ([f"--include-package={p}" for p in packages] + [f"--include-package-data={p}" for p in packages]
                + [f"--include-distribution-metadata={APPS[app]['dist']}"] + APPS[app].get("nuitka_options", []))
    raise RuntimeError(f"unknown packager {packager}")


def build(packager, app, work, venv_python, timeout, rebuild=False):
    """(binary, seconds) of `app` built by `packager`; RuntimeError if not. Kept in the cache per lock,
    options, peers' pins and Python (a rerun measures the same binary; `rebuild` builds it again)."""
    key = hashlib.sha256(LOCKS[APPS[app]["lock"]].read_bytes() + peers.REQUIREMENTS.read_bytes()
                         + launcher(app).encode() + repr(packager_options(packager, app)).encode()
                         + str(venv_python).encode()).hexdigest()[:12]
    kept = peers.CACHE / "apps-peers" / f"{packager}-{app}-{key}"
    if (kept / app).exists() and not rebuild:
        return kept / app, float((kept / "seconds").read_text())
    if timeout == 0:
        raise RuntimeError(f"not built in this run (no binary kept from an earlier one in {kept.parent})")
    binary, seconds = _build(packager, app, work, venv_python, timeout)
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir(parents=True)
    shutil.copy2(binary, kept / app)
    (kept / "seconds").write_text(f"{seconds:.1f}\n")
    return kept / app, seconds


def _build(packager, app, work, venv_python, timeout):
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    entry = work / f"{app.replace('-', '_')}_main.py"
    entry.write_text(launcher(app))
    path = site(venv_python, APPS[app]["lock"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = str(path)
    if packager in ("pyinstaller", "pyinstaller-strip"):
        env["PYINSTALLER_CONFIG_DIR"] = str(work / "cache")
        cmd = [venv_python, "-m", "PyInstaller", "--onefile", "--noconfirm", "--log-level", "WARN", "--name", app,
               "--distpath", work / "dist", "--workpath", work / "build", "--specpath", work / "spec", "--paths", path]
    else:
        env["NUITKA_CACHE_DIR"] = str(peers.CACHE / "nuitka-cache")  # kept: ccache-like, as a user has it
        env["PYTHONPATH"] = os.pathsep.join([str(path / p) for p in APPS[app].get("nuitka_paths", [])] + [str(path)])
        peers.with_venv_tools(venv_python, env)
        cmd = [venv_python, "-m", "nuitka", "--onefile", "--assume-yes-for-downloads", "--remove-output",
               f"--output-dir={work / 'dist'}", f"--output-filename={app}"]
    cmd += packager_options(packager, app)
    binary = work / "dist" / app
    start = time.perf_counter()
    try:
        result = subprocess.run([str(c) for c in cmd + [entry]], cwd=work, env=env, capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{packager} did not finish within {timeout / 60:.0f} min (not measured)") from None
    seconds = time.perf_counter() - start
    (work / "build.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0 or not binary.exists():
        tail = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()][-3:]
        raise RuntimeError(f"{packager} exited with {result.returncode}: " + " / ".join(tail)[-300:])
    return binary, seconds
