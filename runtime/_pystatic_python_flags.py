"""python3's interpreter flags on a command line that runs this executable as python3 (docs/import-protocol.md).

`<exe> [flags] -m <embedded module>`, multiprocessing's `<exe> [flags] -c ...` and `<exe> [flags] <exe>
args` are recognised by _pystatic_bootstrap.main; python3 would have applied those flags, so they are
applied here, after start-up, where they still can be: -u (stdout and stderr unbuffered: a parent
that reads its child's first line, `sys.executable -u -m server`, waited forever on a block buffer),
-B, -W and -X (sys._xoptions, and what faulthandler, tracemalloc, dev and int_max_str_digits turn on).
The others fix what start-up has already done (-E, -I, -s, -S, -P, -O, -b, -d, -q, -v, -i): this
executable's configuration is its build's. Imported only for such a command line.
"""

import sys

_FAULTHANDLER, _TRACEMALLOC = "faulthandler", "tracemalloc"


def parse(argv, end):
    """(single-letter flags, -W options, -X options) of argv[1:end], which holds only python3's flags."""
    letters, warnoptions, xoptions = "", [], []
    i = 1
    while i < end:
        arg = argv[i]
        if arg in ("-W", "-X"):
            kind, value, i = arg[1], argv[i + 1], i + 2
        elif arg.startswith(("-W", "-X")):
            kind, value, i = arg[1], arg[2:], i + 1
        else:
            letters, i = letters + arg[1:], i + 1
            continue
        (warnoptions if kind == "W" else xoptions).append(value)
    return letters, warnoptions, xoptions


def unbuffered_stdio():
    """stdout and stderr as python3 -u makes them: text written through to an unbuffered raw file."""
    import io

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            fd = stream.fileno()
            stream.flush()
            raw_type = type(stream.buffer.raw)  # FileIO; on a Windows console, _WindowsConsoleIO
        except (AttributeError, ValueError, OSError):
            continue  # replaced by the program, or closed: python3 would have nothing to change either
        raw = raw_type(fd, "w", closefd=False)
        raw.name = f"<{name}>"
        text = io.TextIOWrapper(raw, encoding=stream.encoding, errors=stream.errors, newline="\n", write_through=True)
        text.mode = "w"
        setattr(sys, name, text)
        setattr(sys, f"__{name}__", text)


def _turn_on(module_name, *args):
    """module_name.enable(*args) or .start(*args), if this binary has the module: imported by a name in
    a variable, so that the pack step's import scan does not ship it (tracemalloc brings pickle) in
    every binary; a binary whose stdlib selection left it out has nothing to turn on."""
    try:
        module = __import__(module_name)
    except ImportError:
        return
    (getattr(module, "enable", None) or module.start)(*args)


def apply(argv, end):
    """Applies the flags of argv[1:end] as python3 would have."""
    letters, warnoptions, xoptions = parse(argv, end)
    if "B" in letters:
        sys.dont_write_bytecode = True
    if "u" in letters:
        unbuffered_stdio()
    for option in xoptions:
        name, equals, value = option.partition("=")
        sys._xoptions[name] = value if equals else True
        if name in ("faulthandler", "dev"):
            _turn_on(_FAULTHANDLER)
        if name == "dev":
            warnoptions.insert(0, "default")  # python3 -X dev shows the warnings hidden by default
        elif name == "tracemalloc":
            _turn_on(_TRACEMALLOC, int(value) if value else 1)
        elif name == "int_max_str_digits" and value:
            sys.set_int_max_str_digits(int(value))
    if warnoptions:
        sys.warnoptions.extend(warnoptions)
        warnings = sys.modules.get("warnings")
        if warnings is not None:  # otherwise its import reads sys.warnoptions, as in python3
            warnings._processoptions(warnoptions)
