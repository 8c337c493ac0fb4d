"""The blob format is defined twice: actions/pystatic/format/blob.py writes it, runtime/blob.c reads it
with the layout of runtime/blob_internal.h. These tests parse that header's constants and struct
layout and compare them with blob.py, so that a change to one without the other fails here rather
than in a binary."""

import pathlib
import re
import struct

import pytest

from pystatic.format import blob

BLOB_H = pathlib.Path(__file__).resolve().parents[2] / "runtime" / "blob_internal.h"
C_TYPES = {"char": 1, "uint8_t": 1, "uint16_t": 2, "uint32_t": 4, "uint64_t": 8}


@pytest.fixture(scope="module")
def source():
    text = BLOB_H.read_text()
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)  # comments out


def c_define(source, name):
    match = re.search(rf"^#define {name} (.+)$", source, re.M)
    assert match, f"runtime/blob_internal.h defines no {name}"
    return match.group(1).strip()


def c_enum_constants(source):
    """{NAME: value} of every enum constant, evaluating `A | B` of earlier ones."""
    values = {}
    for body in re.findall(r"enum\s*\{(.*?)\}", source, re.S):
        for item in filter(None, (i.strip() for i in body.split(","))):
            name, _, expr = (p.strip() for p in item.partition("="))
            values[name] = eval(expr, {}, dict(values))  # noqa: S307 (C integer expressions of our own file)
    return values


def c_structs(source):
    """{typedef name: [(field, offset, size)]}, nested structs and arrays flattened to scalars, laid
    out with natural alignment as on x86_64 and aarch64 (the runtime also asserts the sizes)."""
    structs = {}
    for body, name in re.findall(r"typedef struct\s*\{(.*?)\}\s*(\w+)\s*;", source, re.S):
        fields, offset, align = [], 0, 1
        for declaration in filter(None, (d.strip() for d in body.split(";"))):
            ctype, names = declaration.split(None, 1)
            for declarator in (n.strip() for n in names.split(",")):
                field, _, count = declarator.partition("[")
                count = int(count.rstrip("]")) if count else None
                if ctype in structs:
                    members, size, member_align = structs[ctype]
                    offset = -(-offset // member_align) * member_align
                    fields += [(f"{field}.{m}", offset + at, s) for m, at, s in members]
                    offset, align = offset + size, max(align, member_align)
                    continue
                size = C_TYPES[ctype]
                offset = -(-offset // size) * size
                align = max(align, size)
                if ctype == "char":  # a byte string, one field
                    fields.append((field, offset, count or 1))
                    offset += count or 1
                elif count:
                    for i in range(count):
                        fields.append((f"{field}[{i}]", offset, size))
                        offset += size
                else:
                    fields.append((field, offset, size))
                    offset += size
        structs[name] = (fields, -(-offset // align) * align, align)
    return structs


def py_layout(layout, names):
    """[(field, offset, size)] of a little-endian struct.Struct, named by `names`."""
    fields, offset = [], 0
    for count, code in re.findall(r"(\d*)([a-zA-Z])", layout.format.lstrip("<")):
        count = int(count) if count else 1
        if code == "s":
            fields.append((count, offset))
            offset += count
        elif code == "x":
            offset += count
        else:
            size = struct.calcsize("<" + code)
            for _ in range(count):
                fields.append((size, offset))
                offset += size
    assert offset == layout.size and len(fields) == len(names), (layout.format, names)
    return [(name, at, size) for name, (size, at) in zip(names, fields)]


def test_magic_version_and_checksum_field_agree(source):
    assert c_define(source, "MAGIC") == '"' + blob.MAGIC.decode() + '"'
    assert int(c_define(source, "FORMAT_VERSION")) == blob.FORMAT_VERSION
    assert int(c_define(source, "HEADER_CHECKSUM_OFFSET")) == blob.HEADER_CHECKSUM_OFFSET
    assert blob.HEADER_FIELDS.index("checksum") == 10 and py_layout(blob.HEADER, blob.HEADER_FIELDS)[10][1:] == (64, 4)


def test_kinds_and_flags_agree(source):
    constants = c_enum_constants(source)
    assert {k: constants[f"KIND_{k}"] for k in ("MODULE", "DATA", "METADATA")} == {
        "MODULE": blob.MODULE, "DATA": blob.DATA, "METADATA": blob.METADATA,
    }
    flags = ("PACKAGE", "HAS_PRIMARY", "HAS_SOURCE", "SHARED_OBJECT", "PRIMARY_ZSTD", "SOURCE_ZSTD")
    assert {f: constants[f"FLAG_{f}"] for f in flags} == {f: getattr(blob, f) for f in flags}
    assert constants["KNOWN_FLAGS"] == blob.KNOWN_FLAGS
    # The C reader's kind check is a range: the kinds must stay contiguous.
    assert sorted(blob.KIND_NAMES) == list(range(constants["KIND_MODULE"], constants["KIND_METADATA"] + 1))


@pytest.mark.parametrize("c_name, layout, names", [
    ("blob_header", blob.HEADER, blob.HEADER_FIELDS),
    ("blob_record", blob.RECORD, blob.RECORD_FIELDS),
])
def test_struct_layouts_agree_field_by_field(source, c_name, layout, names):
    fields, size, _ = c_structs(source)[c_name]
    assert fields == py_layout(layout, names)
    assert size == layout.size
    asserted = re.search(rf"_Static_assert\(sizeof\({c_name}\) == (\d+)", source)
    assert asserted and int(asserted.group(1)) == layout.size


def test_the_parser_sees_a_layout_change():
    changed = "typedef struct { uint32_t a; uint64_t b; } blob_x;"
    assert c_structs(changed)["blob_x"] == ([("a", 0, 4), ("b", 8, 8)], 16, 8)
    assert c_structs(changed)["blob_x"][0] != py_layout(struct.Struct("<IQ"), ("a", "b"))


def test_docs_name_the_format_version():
    docs = (BLOB_H.parents[1] / "docs" / "resource-blob.md").read_text()
    assert f"(format version {blob.FORMAT_VERSION})" in docs.splitlines()[0]
    assert f"| 8 | 4 | format version, `{blob.FORMAT_VERSION}` |" in docs
    assert f"records of {blob.RECORD.size} bytes" in docs
