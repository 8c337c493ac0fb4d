"""_curses, _curses_panel and readline (libedit) in the static interpreter, in an empty root, under tmux.

The interpreter runs alone in a read-only root (harness.run_in_root: no terminfo database, no
/etc, no HOME): curses finds its terminal only among ncurses' built-in fallback entries. tmux is
the terminal; `tmux capture-pane -p` shows what the program drew.
"""

import json
import pathlib
import shlex
import shutil
import subprocess
import time

import pytest

from harness import in_root_command, run_in_root

MUSL = "--platforms=//platforms:linux_musl"

CURSES_PROGRAM = """
import curses, curses.panel, curses.textpad

def main(stdscr):
    stdscr.addstr(0, 0, "terminal: " + curses.longname().decode())
    win = curses.newwin(4, 30, 2, 2)
    win.box()
    win.addstr(1, 2, "text in a panel")
    panel = curses.panel.new_panel(win)
    curses.panel.update_panels()
    curses.textpad.rectangle(stdscr, 7, 1, 9, 32)
    stdscr.addstr(6, 2, "type, then Ctrl-G:")
    stdscr.refresh()
    curses.doupdate()
    edit = curses.newwin(1, 30, 8, 2)
    text = curses.textpad.Textbox(edit).edit().strip()
    panel.hide()
    curses.panel.update_panels()
    stdscr.addstr(11, 2, "typed: " + text)
    stdscr.refresh()
    stdscr.getch()
    return text

print("textbox returned:", curses.wrapper(main), flush=True)
"""


@pytest.fixture(scope="module")
def interpreter(bazel):
    return bazel.build_file("//examples/python", MUSL)


class Tmux:
    """A tmux server of its own (socket in the test's directory): one 80x24 window running `cmd`,
    then printing `[exit STATUS]` and waiting (a dead pane may lose the program's last output), so
    its last screen can be read."""

    def __init__(self, tmp_path, cmd):
        self.tmux = shutil.which("tmux")
        if self.tmux is None:
            pytest.fail("tmux is needed for the curses tests: apt-get install tmux (tools/test installs it)")
        conf = tmp_path / "tmux.conf"
        conf.write_text("set -g default-terminal tmux-256color\nset -g escape-time 0\n")
        self.base = [self.tmux, "-S", str(tmp_path / "tmux.sock"), "-f", str(conf)]
        shell = " ".join(shlex.quote(a) for a in cmd) + '; echo "[exit $?]"; exec sleep 600'
        subprocess.run(self.base + ["new-session", "-d", "-x", "80", "-y", "24", "-s", "t", "--", "sh", "-c", shell],
                       check=True, timeout=30)

    def keys(self, *keys):
        subprocess.run(self.base + ["send-keys", "-t", "t", *keys], check=True, timeout=30)

    def screen(self):
        return subprocess.run(self.base + ["capture-pane", "-p", "-t", "t"], capture_output=True, text=True,
                              timeout=30).stdout

    def wait_for(self, text, timeout=30):
        """The screen once it shows `text`."""
        return wait_until(self, lambda screen: text in screen, timeout)

    def close(self):
        subprocess.run(self.base + ["kill-server"], capture_output=True, timeout=30)


def wait_until(tmux, condition, timeout=30):
    """The screen once `condition(screen)` holds (fails with the screen after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        screen = tmux.screen()
        if condition(screen) or time.monotonic() > deadline:
            assert condition(screen), screen
            return screen
        time.sleep(0.2)


@pytest.fixture
def tmux_in_root(bwrap, interpreter, tmp_path):
    """Starts the interpreter as /python in an empty root under tmux: tmux_in_root(args, env)."""
    servers = []

    def start(args, env=()):
        root = tmp_path / "root"
        root.mkdir(exist_ok=True)
        cmd = in_root_command(bwrap, interpreter, root, "python", args, env=[("TERM", "tmux-256color"), *env])
        servers.append(Tmux(tmp_path, cmd))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_curses_program_draws_windows_panels_and_a_textbox_in_an_empty_root(tmux_in_root, tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "prog.py").write_text(CURSES_PROGRAM)
    tmux = tmux_in_root(["/prog.py"])
    screen = tmux.wait_for("type, then Ctrl-G:")
    # ncurses' built-in tmux-256color entry (no terminfo database in the root).
    assert "terminal: tmux with 256 colors" in screen, screen
    assert "text in a panel" in screen, screen
    tmux.keys("hello static", "C-g")
    screen = tmux.wait_for("typed: hello static")
    assert "text in a panel" not in screen, "the panel is hidden"
    tmux.keys("q")
    screen = tmux.wait_for("[exit 0]")
    assert "textbox returned: hello static" in screen and "Traceback" not in screen, screen


@pytest.mark.parametrize("basic", [True, False], ids=["readline-libedit", "pyrepl-curses"])
def test_repl_line_editing_and_history_in_an_empty_root(tmux_in_root, basic):
    """The basic REPL reads lines with readline (libedit); pyrepl draws with _curses. Both: a line
    edited in the middle (Ctrl-A moves to its start), then recalled with the up arrow."""
    env = [("PYTHON_BASIC_REPL", "1")] if basic else []
    tmux = tmux_in_root(["-q"], env=env)
    tmux.wait_for(">>>")  # capture-pane drops trailing blanks
    tmux.keys("import readline, _curses; print('backend', readline.backend)", "Enter")
    tmux.wait_for("backend editline")
    tmux.keys("rint(6 * 7)", "C-a", "p", "Enter")
    tmux.wait_for("\n42")
    tmux.keys("Up")
    wait_until(tmux, lambda screen: screen.count(">>> print(6 * 7)") == 2)
    tmux.keys("Enter")
    screen = wait_until(tmux, lambda screen: screen.count("\n42") == 2)
    assert "Traceback" not in screen and "can't use pyrepl" not in screen, screen
    tmux.keys("C-d")
    tmux.wait_for("[exit 0]")


def test_pyrepl_uses_the_real_curses_module(interpreter, tmp_path):
    """_pyrepl's curses is _curses itself (its _minimal_curses replacement only serves binaries without it)."""
    result = subprocess.run([str(interpreter), "-c", "import _pyrepl.curses as c, _curses; print(c._curses is _curses)"],
                            capture_output=True, text=True, timeout=60, env={"TERM": "dumb"})
    assert result.stdout.strip() == "True", result.stderr


def test_binary_that_imports_no_curses_links_none(bazel):
    """hello's inittab leaves the extra built-ins out, so ncurses and libedit are not linked."""
    hello = pathlib.Path(bazel.build_file("//examples/hello", MUSL))
    report = hello.with_name("hello.blob.json")
    bazel.run("build", "//examples/hello", MUSL, "--output_groups=+blob")
    left_out = json.loads(report.read_text())["builtins_left_out"]
    assert {"_curses", "_curses_panel", "readline"} <= set(left_out)
    licences = json.loads(hello.with_name("hello.licenses.json").read_text())
    assert not {"ncurses", "libedit"} & {c["component"] for c in licences["components"]}


def test_interpreter_sbom_and_licences_name_ncurses_and_libedit(interpreter):
    """The interpreter links the extra built-ins: its SBOM and licence report carry both libraries
    with their pinned sources and licence texts."""
    sources = json.loads((pathlib.Path(__file__).resolve().parents[2] / "distribution" / "toolchains" / "cpython" /
                          "sources.json").read_text())["extra_builtins"]
    spdx = json.loads(interpreter.with_name("python.spdx.json").read_text())
    packages = {p["name"]: p for p in spdx["packages"]}
    for lib, spdx_id in (("ncurses", "X11-distribute-modifications-variant"), ("libedit", "BSD-3-Clause")):
        package = packages[lib]
        assert package["licenseDeclared"] == spdx_id == sources[lib]["license"], package
        assert package["versionInfo"] == sources[lib]["version"]
        assert package["checksums"][0]["checksumValue"] in [a["sha256"] for a in sources[lib]["archives"]]
    licences = {c["component"]: c for c in json.loads(interpreter.with_name("python.licenses.json").read_text())["components"]}
    assert "Thomas E. Dickey" in licences["ncurses"]["texts"]["LICENSE.ncurses"]
    assert "Regents of the University of California" in licences["libedit"]["texts"]["LICENSE.libedit"]


def test_readline_without_a_terminal_type_is_quiet(bwrap, interpreter, tmp_path):
    """No TERM in an empty root: libedit sets up `dumb`, which is built in (no 'No entry for terminal type')."""
    (tmp_path / "root").mkdir()
    result = run_in_root(bwrap, interpreter, tmp_path / "root", "python", ["-c", "import readline; print(readline.backend)"])
    assert (result.returncode, result.stdout, result.stderr) == (0, "editline\n", ""), result


# A terminal that is not built in: the host's compiled entry (Debian's ncurses-base, an essential package).
HOST_ENTRY = pathlib.Path("/lib/terminfo/r/rxvt")
# rxvt's F1 key, unlike xterm's (ESC O P): read from its entry.
SETUPTERM = "import curses; curses.setupterm('rxvt', 1); print(curses.tigetstr('kf1'))"


@pytest.mark.parametrize("directory", ["etc/terminfo", "lib/terminfo", "usr/share/terminfo", "custom (TERMINFO)"])
def test_other_terminals_come_from_the_terminfo_directories(bwrap, interpreter, tmp_path, directory):
    assert HOST_ENTRY.is_file(), "the test needs Debian's ncurses-base (/lib/terminfo/r/rxvt)"
    root = tmp_path / "root"
    root.mkdir()
    result = run_in_root(bwrap, interpreter, root, "python", ["-c", SETUPTERM], timeout=120)
    assert result.returncode == 1 and "setupterm: could not find terminfo database" in result.stderr, result.stderr
    env = []
    if directory.startswith("custom"):
        directory, env = "custom", [("TERMINFO", "/custom")]
    (root / directory / "r").mkdir(parents=True)
    shutil.copy2(HOST_ENTRY, root / directory / "r" / "rxvt")
    result = run_in_root(bwrap, interpreter, root, "python", ["-c", SETUPTERM], env=env, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == r"b'\x1b[11~'", (result.stdout, result.stderr)
