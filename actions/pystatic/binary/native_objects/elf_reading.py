"""One ELF shared object of a wheel as the loader sees it: header, dynamic tags, relocations, symbols.

Read with pyelftools through the dynamic segment (what a loader reads), the symbols from `.dynsym`
(or, without section headers, the segment's DT_SYMTAB). Relocation types are kept as numbers: their
names depend on the CPU (loadability.py) and pyelftools' AArch64 TLS numbers are not the ABI's.
"""

import dataclasses

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSegment
from elftools.elf.elffile import ELFFile

DF_TEXTREL = 0x4
DF_STATIC_TLS = 0x10


class UnreadableObject(Exception):
    """The file is not an ELF file pyelftools can read."""


@dataclasses.dataclass(frozen=True)
class Undefined:
    name: str
    weak: bool
    tls: bool  # STT_TLS: a thread-local variable of another object


@dataclasses.dataclass
class SharedObject:
    elf_class: int  # 32 or 64
    little_endian: bool
    elf_type: str  # "ET_DYN", ...
    machine: str  # "EM_X86_64", as pyelftools names it (targets.bzl's elf_machine)
    needed: list = dataclasses.field(default_factory=list)
    soname: str = None
    rpath: str = None  # DT_RPATH
    runpath: str = None  # DT_RUNPATH
    textrel: bool = False  # DT_TEXTREL or DF_TEXTREL
    static_tls: bool = False  # DF_STATIC_TLS
    has_dynamic: bool = False
    has_relr: bool = False
    relocation_types: dict = dataclasses.field(default_factory=dict)  # number -> count
    defined: set = dataclasses.field(default_factory=set)  # exported names (global, weak, unique)
    undefined: list = dataclasses.field(default_factory=list)  # [Undefined], sorted by name

    def search_path(self):
        """The directories DT_NEEDED names are looked for in: DT_RUNPATH when present (it replaces
        DT_RPATH, as in musl), else DT_RPATH; the raw entries, `$ORIGIN` not expanded."""
        value = self.runpath if self.runpath is not None else self.rpath
        return [entry for entry in (value or "").split(":") if entry]


def _dynamic_segment(elf):
    for segment in elf.iter_segments():
        if isinstance(segment, DynamicSegment):
            return segment
    return None


def _read_tags(dynamic, obj):
    for tag in dynamic.iter_tags():
        kind = tag.entry.d_tag
        if kind == "DT_NEEDED":
            obj.needed.append(tag.needed)
        elif kind == "DT_SONAME":
            obj.soname = tag.soname
        elif kind == "DT_RPATH":
            obj.rpath = tag.rpath
        elif kind == "DT_RUNPATH":
            obj.runpath = tag.runpath
        elif kind == "DT_TEXTREL":
            obj.textrel = True
        elif kind == "DT_FLAGS":
            obj.textrel |= bool(tag.entry.d_val & DF_TEXTREL)
            obj.static_tls = bool(tag.entry.d_val & DF_STATIC_TLS)
        elif kind == "DT_RELR":
            obj.has_relr = True


def _read_relocations(dynamic, obj):
    for kind, table in dynamic.get_relocation_tables().items():
        if kind == "RELR":
            continue  # packed RELATIVE relocations (has_relr)
        for relocation in table.iter_relocations():
            number = relocation["r_info_type"]
            obj.relocation_types[number] = obj.relocation_types.get(number, 0) + 1


def _symbols(elf, dynamic):
    section = elf.get_section_by_name(".dynsym")
    if section is None:
        for candidate in elf.iter_sections():
            if candidate["sh_type"] == "SHT_DYNSYM":
                section = candidate
                break
    if section is not None:
        return section.iter_symbols()
    return dynamic.iter_symbols()


def _read_symbols(elf, dynamic, obj):
    undefined = {}
    for symbol in _symbols(elf, dynamic):
        name = symbol.name
        bind = symbol["st_info"]["bind"]
        if not name or bind == "STB_LOCAL":
            continue
        if symbol["st_shndx"] == "SHN_UNDEF":
            weak = bind == "STB_WEAK"
            # A name both weak and strong among the references (not in one table) is strong.
            previous = undefined.get(name)
            undefined[name] = Undefined(name, weak and (previous is None or previous.weak), symbol["st_info"]["type"] == "STT_TLS")
        elif symbol["st_other"]["visibility"] in ("STV_DEFAULT", "STV_PROTECTED"):
            obj.defined.add(name)
    obj.undefined = [undefined[name] for name in sorted(undefined) if name not in obj.defined]


def read_shared_object(path):
    """The SharedObject in the file `path`; raises UnreadableObject when pyelftools cannot read it."""
    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            obj = SharedObject(
                elf_class=elf.elfclass,
                little_endian=elf.little_endian,
                elf_type=elf["e_type"],
                machine=elf["e_machine"],
            )
            dynamic = _dynamic_segment(elf)
            if dynamic is not None:
                obj.has_dynamic = True
                _read_tags(dynamic, obj)
                _read_relocations(dynamic, obj)
                _read_symbols(elf, dynamic, obj)
            return obj
    except (ELFError, OSError, ValueError, KeyError, AttributeError) as err:
        raise UnreadableObject(f"not a readable ELF file: {err}") from err
