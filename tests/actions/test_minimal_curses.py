"""runtime/_pystatic_minimal_curses.py: _pyrepl's terminal capabilities without a curses library."""

import importlib.util
import pathlib

import pytest

PATH = pathlib.Path(__file__).resolve().parents[2] / "runtime" / "_pystatic_minimal_curses.py"
spec = importlib.util.spec_from_file_location("_pystatic_minimal_curses", PATH)
curses = importlib.util.module_from_spec(spec)
spec.loader.exec_module(curses)


def test_xterm_capabilities_and_tparm():
    curses.setupterm("xterm-256color", 1)
    assert curses.tigetstr("clear") == b"\x1b[H\x1b[2J" and curses.tigetstr("kcuu1") == b"\x1bOA"
    assert curses.tigetstr("nosuch") is None
    assert curses.tparm(curses.tigetstr("cup"), 4, 9) == b"\x1b[5;10H", "%i makes the first two 1-based"
    assert curses.tparm(curses.tigetstr("cub"), 3) == b"\x1b[3D"
    assert curses.tparm(b"%{7}%p1%+%d %%", 5) == b"12 %"


@pytest.mark.parametrize("term", ["dumb", "", "emacs"])
def test_unknown_terminals_are_refused_so_the_basic_repl_runs(term):
    with pytest.raises(curses.error):
        curses.setupterm(term, 1)
