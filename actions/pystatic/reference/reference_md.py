"""Renders Bazel's `starlark_doc_extract` output (ModuleInfo, text format) as a Markdown rule reference.

  --input F.textproto --output F.md     PyStaticReference: the generated reference
  --check GENERATED CHECKED_IN          the diff test: fails (naming the fix) when they differ
  --install GENERATED PATH              `bazel run` target: writes PATH (relative to the workspace)

Bazel 7 has `starlark_doc_extract` built in; this renderer replaces stardoc's Java one, so the
reference needs no JDK. It reads the protobuf text format with a small parser (no protobuf
package): messages, strings, enums, numbers and booleans.
"""

import argparse
import difflib
import os
import pathlib
import re
import sys

from pystatic.common.action_args import expand_param_files

UPDATE = "tools/bazel run //docs/reference:update"
TOKEN = re.compile(r'\s*(?:(#[^\n]*)|([A-Za-z_][\w.]*)|("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|(-?[\d.]+)|([{}:<>]))', re.S)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


class TextFormatError(Exception):
    pass


def _unquote(token):
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in ESCAPES:
                out.append(ESCAPES[nxt])
                i += 2
                continue
            if nxt.isdigit():  # octal byte, e.g. \303
                digits = re.match(r"[0-7]{1,3}", body[i + 1:]).group(0)
                out.append(chr(int(digits, 8)))
                i += 1 + len(digits)
                continue
        out.append(c)
        i += 1
    # Octal escapes are UTF-8 bytes.
    return "".join(out).encode("latin-1", errors="surrogateescape").decode("utf-8", errors="replace") \
        if any(ord(ch) > 127 for ch in out) else "".join(out)


def _tokens(text):
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise TextFormatError(f"unexpected text at offset {pos}: {text[pos:pos + 20]!r}")
            return
        pos = m.end()
        if m.group(1) is not None:
            continue
        for kind, value in (("ident", m.group(2)), ("string", m.group(3)), ("number", m.group(4)), ("punct", m.group(5))):
            if value is not None:
                yield kind, value
                break


def parse(text):
    """{field: [values]}; a message value is such a dict again; adjacent strings concatenate."""
    tokens = list(_tokens(text))
    pos = 0

    def message(end):
        nonlocal pos
        fields = {}
        while pos < len(tokens) and tokens[pos] != ("punct", end):
            kind, name = tokens[pos]
            if kind != "ident":
                raise TextFormatError(f"expected a field name, got {name!r}")
            pos += 1
            if tokens[pos] == ("punct", ":"):
                pos += 1
            kind, value = tokens[pos]
            if kind == "punct" and value in ("{", "<"):
                pos += 1
                fields.setdefault(name, []).append(message("}" if value == "{" else ">"))
                continue
            if kind == "string":
                parts = []
                while pos < len(tokens) and tokens[pos][0] == "string":
                    parts.append(_unquote(tokens[pos][1]))
                    pos += 1
                pos -= 1
                value = "".join(parts)
            elif kind == "ident" and value in ("true", "false"):
                value = value == "true"
            pos += 1
            fields.setdefault(name, []).append(value)
        pos += 1
        return fields

    return message(None)


def _default(value):
    return f"`{_cell(value)}`" if value else ""


def _one(msg, key, default=""):
    return msg.get(key, [default])[0]


def _cell(text):
    return " ".join(str(text).replace("|", "\\|").split())


def _type(attr):
    return attr.get("type", ["UNKNOWN"])[0].lower()


def _entries(entries, heading, with_type):
    """The table of a rule's attributes (with their types) or of a macro's parameters."""
    lines = [f"| {heading} |{' type |' if with_type else ''} default | description |",
             f"| --- |{' --- |' if with_type else ''} --- | --- |"]
    for entry in entries:
        default = "required" if _one(entry, "mandatory", False) else _default(_one(entry, "default_value"))
        kind = f" {_type(entry)} |" if with_type else ""
        lines.append(f"| `{_one(entry, 'name')}` |{kind} {default} | {_cell(_one(entry, 'doc_string'))} |")
    return lines + [""]


def render(module, source):
    lines = [
        "# Rule reference",
        "",
        f"<!-- Generated from {source} by actions/pystatic/reference/reference_md.py (starlark_doc_extract). "
        f"Do not edit; regenerate: {UPDATE} -->",
        "",
    ]
    if module.get("module_docstring"):
        lines += [_one(module, "module_docstring").strip(), ""]
    lines += ["Load everything from `@rules_pystatic//rules:defs.bzl`.", ""]
    for kind, items, name_key, entries in (
        ("", module.get("rule_info", []), "rule_name", "attribute"),
        (" (macro)", module.get("func_info", []), "function_name", "parameter"),
    ):
        for item in sorted(items, key=lambda i: _one(i, name_key)):
            lines += [f"## {_one(item, name_key)}{kind}", "", _one(item, "doc_string").strip(), ""]
            lines += _entries(item.get(entries, []), entries, with_type=not kind)
    for provider in sorted(module.get("provider_info", []), key=lambda p: _one(p, "provider_name")):
        lines += [f"## {_one(provider, 'provider_name')} (provider)", "", _one(provider, "doc_string").strip(), "",
                  "| field | description |", "| --- | --- |"]
        for field in provider.get("field_info", []):
            lines.append(f"| `{_one(field, 'name')}` | {_cell(_one(field, 'doc_string'))} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def check(generated, checked_in):
    """0 if equal, else 1 with a diff and the command that regenerates the file."""
    new = pathlib.Path(generated).read_text(encoding="utf-8")
    old = pathlib.Path(checked_in).read_text(encoding="utf-8") if pathlib.Path(checked_in).exists() else ""
    if new == old:
        return 0
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), checked_in, "generated", n=1))
    print(f"error: {checked_in} is not the reference the rules' docstrings give now.\n"
          f"  Fix: regenerate it with `{UPDATE}` and commit it.\n{diff}", file=sys.stderr)
    return 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="starlark_doc_extract's .textproto")
    parser.add_argument("--source", default="rules/defs.bzl", help="named in the header")
    parser.add_argument("--output")
    parser.add_argument("--check", nargs=2, metavar=("GENERATED", "CHECKED_IN"))
    parser.add_argument("--install", nargs=2, metavar=("GENERATED", "PATH"))
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))
    if args.check:
        return check(*args.check)
    if args.install:
        workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
        if not workspace:
            parser.error(f"--install runs under `bazel run` ({UPDATE})")
        dest = pathlib.Path(workspace) / args.install[1]
        dest.write_text(pathlib.Path(args.install[0]).read_text(encoding="utf-8"), encoding="utf-8")
        print(f"wrote {dest}")
        return 0
    if not (args.input and args.output):
        parser.error("--input and --output (or --check)")
    try:
        module = parse(pathlib.Path(args.input).read_text(encoding="utf-8"))
    except (TextFormatError, IndexError) as err:
        print(f"error: {args.input}: not a ModuleInfo text proto: {err}", file=sys.stderr)
        return 1
    pathlib.Path(args.output).write_text(render(module, args.source), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
