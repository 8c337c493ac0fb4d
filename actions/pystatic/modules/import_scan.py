"""Imports of a Python source read as text: the same answer on every Python version.

The fetch phase runs on the build machine's python3 (any version from the lowest supported up),
while the packages are written for the target's Python: `ast` of an older host rejects newer
syntax (PEP 695 `type X = ...` on 3.11). This scanner never parses: it blanks strings and
comments, joins bracketed and backslash-continued lines, and reads `import` statements and the
`try:`/`except ...:` blocks around them from their indentation. It is the fetch phase's hint for
the automatic sdist build only (resolve.py); the build action PyStaticWheel decides with `ast`
under the distribution's own interpreter (fallbacks.imports_of). Same result shape as that.
"""

import re

from pystatic.modules.names import absolute_import_name

_COMPOUND = re.compile(r"(try|except\b\*?|else|finally|if|elif|while|for|with|async|def|class)\b")
_GUARD_NAMES = ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")
_DOTTED = re.compile(r"[A-Za-z_][\w.]*$")


def _indent_of(text):
    width = 0
    for char in text:
        if char == " ":
            width += 1
        elif char == "\t":
            width = width // 8 * 8 + 8
        else:
            break
    return width


def logical_lines(source):
    """[(indent, code)]: strings blanked to "", comments dropped, continuation lines joined."""
    lines, current, depth, start, i, n = [], [], 0, 0, 0, len(source)
    while i < n:
        char = source[i]
        if char == "#":
            while i < n and source[i] != "\n":
                i += 1
            continue
        if char in "'\"":
            quote = source[i:i + 3] if source[i:i + 3] in ("'''", '"""') else char
            i += len(quote)
            while i < n and not source.startswith(quote, i):
                if source[i] == "\\":
                    i += 1
                elif source[i] == "\n" and len(quote) == 1:
                    break  # an unterminated string: resynchronise at the line's end
                i += 1
            i += len(quote)
            current.append('""')
            continue
        if char == "\\" and source[i + 1:i + 2] == "\n":
            current.append(" ")
            i += 2
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        if char == "\n":
            if depth == 0:
                text = "".join(current)
                if text.strip():
                    lines.append((_indent_of(source[start:]), text.strip()))
                current, start = [], i + 1
            else:
                current.append(" ")
        else:
            current.append(char)
        i += 1
    text = "".join(current)
    if text.strip():
        lines.append((_indent_of(source[start:]), text.strip()))
    return lines


def _split_top(text, separator):
    """text split at `separator` outside brackets."""
    parts, depth, last = [], 0, 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[last:index])
            last = index + 1
    return parts + [text[last:]]


def statements(source):
    """[(indent, statement)]: `;` split, a compound header's one-line body one level deeper."""
    out = []
    for indent, text in logical_lines(source):
        for statement in _split_top(text, ";"):
            statement = statement.strip()
            if not statement:
                continue
            if _COMPOUND.match(statement):
                header = _split_top(statement, ":")
                if len(header) > 1 and header[1].strip():
                    out.append((indent, header[0].strip() + ":"))
                    out.append((indent + 0.5, ":".join(header[1:]).strip()))
                    continue
            out.append((indent, statement))
    return out


def _names(text):
    return [part.split(" as ")[0].strip() for part in text.strip().strip("()").split(",") if part.strip()]


def _imports(statement, module, is_package):
    if statement.startswith("import "):
        return [name for name in _names(statement[len("import "):]) if _DOTTED.match(name)]
    match = re.match(r"from\s+(\.*)\s*([\w.]*)\s+import\s+(.*)$", statement)
    if not match:
        return []
    base = absolute_import_name(match.group(2), len(match.group(1)), module, is_package)
    if not base:
        return []
    return [base] + [f"{base}.{name}" for name in _names(match.group(3)) if name != "*" and name.isidentifier()]


def _is_clause(statement):
    return re.match(r"(except\b|else\s*:|finally\s*:)", statement) is not None


def _raises(body):
    """A `raise` in a handler's lines, not in a function or class it defines (as fallbacks._raises)."""
    definition = None
    for indent, statement in body:
        if definition is not None and indent > definition:
            continue
        definition = indent if re.match(r"(async\s+def|def|class)\b", statement) else None
        if definition is None and re.match(r"raise\b", statement):
            return True
    return False


def imports_of(source, module, is_package):
    """(imported module, guarded) for each import statement, as fallbacks.imports_of; never raises."""
    lines = statements(source)
    guarded = [False] * len(lines)
    for k, (indent, statement) in enumerate(lines):
        if statement != "try:":
            continue
        end = k + 1
        while end < len(lines) and lines[end][0] > indent:
            end += 1
        body_end, fallback, clause = end, False, end
        while clause < len(lines) and lines[clause][0] == indent and _is_clause(lines[clause][1]):
            head = lines[clause][1]
            stop = clause + 1
            while stop < len(lines) and lines[stop][0] > indent:
                stop += 1
            raises = _raises(lines[clause + 1:stop])
            if head.startswith("except") and not raises:
                types = head[len("except"):].lstrip("*").split(" as ")[0]
                if not types.strip(" :") or any(re.search(rf"\b{name}\b", types) for name in _GUARD_NAMES):
                    fallback = True
            clause = stop
        if fallback:
            for index in range(k + 1, body_end):
                guarded[index] = True
    found = []
    for index, (_, statement) in enumerate(lines):
        if statement.startswith(("import ", "from ")):
            found.extend((name, guarded[index]) for name in _imports(statement, module, is_package))
    return found
