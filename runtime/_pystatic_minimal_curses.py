"""_pyrepl._minimal_curses for static binaries: ANSI terminal capabilities without a curses library.

3.13's REPL (_pyrepl) needs setupterm/tigetstr/tparm. Without the `_curses` extension its
fallback, _pyrepl/_minimal_curses.py, dlopens libncursesw through ctypes, which a static executable
cannot. This replacement (packed with the standard library under the same name by
toolchains/cpython/runtime.bzl) answers for the capabilities of xterm-compatible terminals (xterm,
VTE, tmux, screen, the Linux console: what `TERM` says on practically every terminal today) and
refuses others, so the REPL then falls back to the basic one as python3 does without curses. No
terminfo database is read: an empty root has none.
"""

import os


class error(Exception):
    pass


OK = 0
ERR = -1

_ANSI_TERMS = ("xterm", "screen", "tmux", "vt100", "vt220", "linux", "rxvt", "alacritty", "foot", "kitty", "wezterm", "ansi")

# xterm's terminfo entries (infocmp xterm-256color), the ones _pyrepl asks for.
_CAPABILITIES = {
    "bel": b"\x07",
    "civis": b"\x1b[?25l",
    "clear": b"\x1b[H\x1b[2J",
    "cnorm": b"\x1b[?12l\x1b[?25h",
    "cub": b"\x1b[%p1%dD",
    "cub1": b"\x08",
    "cud": b"\x1b[%p1%dB",
    "cud1": b"\n",
    "cuf": b"\x1b[%p1%dC",
    "cuf1": b"\x1b[C",
    "cup": b"\x1b[%i%p1%d;%p2%dH",
    "cuu": b"\x1b[%p1%dA",
    "cuu1": b"\x1b[A",
    "dch": b"\x1b[%p1%dP",
    "dch1": b"\x1b[P",
    "el": b"\x1b[K",
    "hpa": b"\x1b[%i%p1%dG",
    "ich": b"\x1b[%p1%d@",
    "ind": b"\n",
    "ri": b"\x1bM",
    "rmkx": b"\x1b[?1l\x1b>",
    "smkx": b"\x1b[?1h\x1b=",
    "kbs": b"\x7f",
    "kcub1": b"\x1bOD",
    "kcud1": b"\x1bOB",
    "kcuf1": b"\x1bOC",
    "kcuu1": b"\x1bOA",
    "kdch1": b"\x1b[3~",
    "kend": b"\x1bOF",
    "kent": b"\x1bOM",
    "khome": b"\x1bOH",
    "kich1": b"\x1b[2~",
    "knp": b"\x1b[6~",
    "kpp": b"\x1b[5~",
    "kf1": b"\x1bOP",
    "kf2": b"\x1bOQ",
    "kf3": b"\x1bOR",
    "kf4": b"\x1bOS",
    "kf5": b"\x1b[15~",
    "kf6": b"\x1b[17~",
    "kf7": b"\x1b[18~",
    "kf8": b"\x1b[19~",
    "kf9": b"\x1b[20~",
    "kf10": b"\x1b[21~",
    "kf11": b"\x1b[23~",
    "kf12": b"\x1b[24~",
}

_term = None


def setupterm(termstr=None, fd=-1):
    global _term
    if termstr is None:
        termstr = os.environ.get("TERM", "")
    if isinstance(termstr, bytes):
        termstr = termstr.decode("ascii", "replace")
    if not termstr.startswith(_ANSI_TERMS):
        raise error(f"terminal {termstr!r} is not known without a curses library (xterm-compatible ones are)")
    _term = termstr


def tigetstr(cap):
    if _term is None:
        raise error("must call setupterm() first")
    if isinstance(cap, bytes):
        cap = cap.decode("ascii")
    return _CAPABILITIES.get(cap)


def tparm(string, *params):
    """terminfo's parameter language, the part ANSI strings use: %% %d %c %s %i %pN %{N} %+ %-."""
    params = list(params) + [0] * (9 - len(params))
    out, stack, i = bytearray(), [], 0
    while i < len(string):
        char = string[i]
        i += 1
        if char != 0x25:  # '%'
            out.append(char)
            continue
        op = chr(string[i])
        i += 1
        if op == "%":
            out += b"%"
        elif op == "d":
            out += str(stack.pop() if stack else 0).encode()
        elif op == "c":
            out.append((stack.pop() if stack else 0) & 0xFF)
        elif op == "s":
            value = stack.pop() if stack else b""
            out += value if isinstance(value, bytes) else str(value).encode()
        elif op == "i":
            params[0] += 1
            params[1] += 1
        elif op == "p":
            stack.append(params[string[i] - 0x31])
            i += 1
        elif op == "{":
            end = string.index(b"}", i)
            stack.append(int(string[i:end]))
            i = end + 1
        elif op in "+-":
            b, a = stack.pop(), stack.pop()
            stack.append(a + b if op == "+" else a - b)
        else:
            raise error(f"tparm: unsupported %{op} in {string!r}")
    return bytes(out)
