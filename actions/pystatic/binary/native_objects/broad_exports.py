"""The broad export table of a py_static_interpreter: what a musl python3 with libpython and libc
serves to shared objects it loads from disk (a musllinux wheel installed in site-packages), whose
needs nobody knows at build time.

A binary exports only what its embedded objects need (native_exports.py). An interpreter also
exports, whether or not it embeds objects:

- the Python C API: every `Py*` and `_Py*` name the distribution's archive defines (its symbol
  index), but the `PyInit_*` of its built-in modules (a wheel's extension defines its own) and
  pyexpat's prefixed copy of expat (`PyExpat_XML_*`, no API);
- zlib's API (the executable provides `libz.so.1`): the zlib names of the same index;
- the C library's public names: musl's exported-symbol list, `lib/libc/musl/libc.S` of zig (the
  list libc.so is made from), with its `#ifdef`s evaluated for the CPU; but the dynamic linker's own
  names (`dl*`, `_dl*`: the loader serves dlopen/dlsym/dladdr/dl_iterate_phdr itself), `_init`/`_fini`.

Never the C++ runtime or the unwinder (system_names.is_cxx_runtime_name): a wheel brings its own.
The link forces every name (linker script), so the interpreter holds all of libc and libpython a
wheel can call; a name the static libc lacks gets the address 0 and fails at load, naming it.
"""

import re

from pystatic.binary.native_objects.system_names import is_cxx_runtime_name

# Defines of musl's libc.S per CPU (what zig passes when it assembles it for that target).
_LIBC_DEFINES = {
    "x86_64": {"PTR64", "ARCH_x86_64", "FAMILY_x86"},
    "aarch64": {"PTR64", "ARCH_aarch64", "FAMILY_aarch64"},
}
_DIRECTIVE = re.compile(r"(?:\.globl|\.weak|WEAK64|WEAKTIME64)\s+(\S+)")
_DEFINED = re.compile(r"(!?)\s*defined\((\w+)\)")
# zlib's public API (zlib.h's ZEXTERN functions): not its internal names (inflate_fast, gz_error, _tr_*).
_ZLIB = re.compile(r"(adler32|crc32)(_combine(64|_gen64|_gen|_op)?|_z)?|(un)?compress(2|Bound)?(_z)?"
                   r"|(deflate|inflate)([A-Z][A-Za-z0-9]*_?)?|gz[a-z]+(64|_r|_w|_)?"
                   r"|zlibVersion|zlibCompileFlags|zError|get_crc_table")
_PYTHON = re.compile(r"_?Py[A-Za-z0-9_]*")
_NOT_LIBC = re.compile(r"_?dl[a-z_]\w*|_init|_fini|__tls_get_addr")


def _condition(line, defines):
    """Whether an `#ifdef X`, `#ifndef X` or `#if [!]defined(X) && ...` line holds."""
    words = line.split(None, 1)
    if words[0] == "#ifdef":
        return words[1].strip() in defines
    if words[0] == "#ifndef":
        return words[1].strip() not in defines
    terms = [term.strip() for term in words[1].split("&&")]
    matches = [_DEFINED.fullmatch(term) for term in terms]
    if not all(matches):
        raise ValueError(f"libc.S: cannot evaluate {line!r}")
    return all((m.group(2) in defines) != bool(m.group(1)) for m in matches)


def libc_names(text, cpu):
    """The names musl's libc.S (its text) declares global or weak for `cpu`."""
    defines = _LIBC_DEFINES[cpu]
    stack = []  # (this branch taken, the enclosing branches taken)
    names = set()
    for raw in text.splitlines():
        line = raw.strip()
        active = all(taken for taken, _ in stack)
        if line.startswith("#if"):
            stack.append((_condition(line, defines) if active else False, active))
        elif line.startswith("#else"):
            taken, outer = stack.pop()
            stack.append((outer and not taken, outer))
        elif line.startswith("#endif"):
            stack.pop()
        elif line.startswith("#elif"):
            raise ValueError(f"libc.S: #elif is not supported: {line!r}")
        elif active:
            match = _DIRECTIVE.match(line)
            if match:
                names.add(match.group(1))
    if stack:
        raise ValueError("libc.S: unterminated #if")
    return {name for name in names if not _NOT_LIBC.fullmatch(name) and not is_cxx_runtime_name(name)}


def archive_index(path):
    """The names of a static archive's symbol index (GNU `/` or `/SYM64/`): what its members define."""
    with open(path, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise ValueError(f"{path}: not an ar archive")
        header = f.read(60)
        if len(header) < 60:
            return set()
        name, size = header[:16].strip(), int(header[48:58].strip())
        if name not in (b"/", b"/SYM64/"):
            raise ValueError(f"{path}: no symbol index (run ranlib)")
        data = f.read(size)
    width = 8 if name == b"/SYM64/" else 4
    count = int.from_bytes(data[:width], "big")
    strings = data[width + count * width:].split(b"\0")[:count]
    return {s.decode() for s in strings if s}


def python_and_zlib_names(index):
    """The Python C API and zlib names of an archive index."""
    python = {n for n in index if _PYTHON.fullmatch(n) and not n.startswith(("PyInit_", "PyExpat_"))}
    zlib = {n for n in index if _ZLIB.fullmatch(n)}
    return {n for n in python | zlib if not is_cxx_runtime_name(n)}


def interpreter_exports(archives, libc_text, cpu):
    """Every name an interpreter exports: see the module's docstring."""
    names = libc_names(libc_text, cpu)
    for archive in archives:
        names |= python_and_zlib_names(archive_index(archive))
    return names
