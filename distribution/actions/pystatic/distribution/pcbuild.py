"""Reads CPython's PCbuild/*.vcxproj files: the C files of a project and how each is compiled.

build_cpython_windows.py compiles CPython for Windows from these lists (docs/windows.md), the same
lists MSBuild uses, instead of a hand-kept copy. MSBuild's conditions are evaluated for the few
forms the projects use (`$(Prop)`, `'$(Prop)' == 'x'`, `!=`, `and`, `or`); any other form is an
error naming the project and the condition, so a new CPython cannot be read wrongly in silence.
"""

import dataclasses
import pathlib
import posixpath
import re
import xml.etree.ElementTree as ET

from pystatic.distribution.configure_make import BuildError

_NS = "{http://schemas.microsoft.com/developer/msbuild/2003}"


class PCbuildError(BuildError):
    """A project file says something this reader does not understand."""


@dataclasses.dataclass(frozen=True)
class Source:
    """One ClCompile item: a C file relative to the source root, its extra defines and include dirs."""

    path: str
    defines: tuple = ()
    include_dirs: tuple = ()


@dataclasses.dataclass(frozen=True)
class Project:
    """A .vcxproj: its name, the defines and include dirs of all its C files, and the C files."""

    name: str
    defines: tuple
    include_dirs: tuple
    sources: tuple


_PROP = re.compile(r"\$\((\w+)\)")
_META = re.compile(r"%\((\w+)\)")


def _expand(text, props, item=None):
    """Substitutes $(Prop) (unknown ones are empty, as in MSBuild) and %(Filename)-style metadata."""
    text = _PROP.sub(lambda m: props.get(m.group(1), ""), text)
    if item is not None:
        text = _META.sub(lambda m: item.get(m.group(1), m.group(0)), text)
    return text


def _atom(text, where):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    if re.fullmatch(r"[\w.\\/ -]*", text):
        return text
    raise PCbuildError(f"{where}: cannot read the operand {text!r}")


def evaluate(condition, props, where, item=None):
    """True if an MSBuild Condition holds for props; PCbuildError for a form it does not know."""
    expanded = _expand(condition, props, item)
    if "(" in expanded or ")" in expanded or "!Exists" in expanded or "Exists" in expanded:
        raise PCbuildError(f"{where}: unsupported condition {condition!r} (expanded: {expanded!r})")
    for alternative in re.split(r"\s+or\s+", expanded):
        if all(_clause(part, where) for part in re.split(r"\s+and\s+", alternative)):
            return True
    return False


def _clause(text, where):
    for op in ("==", "!="):
        if op in text:
            left, right = text.split(op, 1)
            equal = _atom(left, where).lower() == _atom(right, where).lower()
            return equal if op == "==" else not equal
    value = _atom(text, where).lower()
    if value in ("true", "false", ""):
        return value == "true"
    raise PCbuildError(f"{where}: cannot read the condition clause {text!r}")


def _holds(element, props, where, item=None):
    condition = element.get("Condition")
    return condition is None or evaluate(condition, props, where, item)


def _list(text):
    """An MSBuild ;-list without the %(...) inheritance placeholder and blanks."""
    return [part.strip() for part in text.split(";") if part.strip() and not part.strip().startswith("%(")]


def _path(value, props, pcbuild):
    """A path of the project (backslashes, relative to PCbuild/) as a path relative to the source root.

    Values starting with a property that maps to a `<...>` marker (an external library, e.g. $(zlibDir))
    are returned as `<marker>/rest`: the caller decides what they are.
    """
    value = value.replace("\\", "/")
    if value.startswith("<"):
        return value.rstrip("/")
    root = props["PySourcePath"].replace("\\", "/")
    if value.startswith(root):
        value = value[len(root):]
    else:
        value = posixpath.join(pcbuild, value)
    return posixpath.normpath(value) if value else "."


def _settings(element, props, where, pcbuild, item=None):
    defines, include_dirs, excluded = [], [], False
    for child in element:
        tag = child.tag.replace(_NS, "")
        if not _holds(child, props, where, item):
            continue
        text = _expand(child.text or "", props, item)
        if tag == "PreprocessorDefinitions":
            defines += _list(text)
        elif tag == "AdditionalIncludeDirectories":
            include_dirs += [_path(d, props, pcbuild) for d in _list(text)]
        elif tag == "ExcludedFromBuild":
            excluded = text.strip().lower() == "true"
    return defines, include_dirs, excluded


def read_project(source_root, name, props):
    """Reads PCbuild/<name>.vcxproj under source_root with the MSBuild properties props.

    props must hold PySourcePath (the value MSBuild gives it, e.g. "/src/"); properties naming
    external libraries may be `<name>` markers, which then start the paths that use them.
    """
    file = pathlib.Path(source_root) / "PCbuild" / f"{name}.vcxproj"
    where = f"PCbuild/{name}.vcxproj"
    try:
        root = ET.parse(file).getroot()
    except (OSError, ET.ParseError) as err:
        raise PCbuildError(f"{where}: cannot read the project: {err}") from err
    defines, include_dirs, sources = [], [], []
    for group in root.iter(_NS + "ItemDefinitionGroup"):
        if not _holds(group, props, where):
            continue
        for clcompile in group.iter(_NS + "ClCompile"):
            d, i, _ = _settings(clcompile, props, where, "PCbuild")
            defines += d
            include_dirs += i
    for group in root.iter(_NS + "ItemGroup"):
        if not _holds(group, props, where):
            continue
        for item in group.findall(_NS + "ClCompile"):
            include = item.get("Include")
            if include is None or not _holds(item, props, where):
                continue
            path = _path(_expand(include, props), props, "PCbuild")
            meta = {"Filename": posixpath.splitext(posixpath.basename(path))[0]}
            d, i, excluded = _settings(item, props, where, "PCbuild", meta)
            if not excluded:
                sources.append(Source(path, tuple(d), tuple(i)))
    if not sources:
        raise PCbuildError(f"{where}: no ClCompile items (has the project's layout changed?)")
    return Project(name, tuple(defines), tuple(include_dirs), tuple(sources))

