"""Whether the executable's loader can load one shared object, on its own (no dependencies yet).

The loader maps 64-bit little-endian ET_DYN objects of the target's machine and applies the
relocation types below (DT_RELR as well). It cannot apply initial-exec TLS (TPOFF64 / TLS_TPREL64:
a dlopen'ed module's TLS block is allocated lazily, not in the static TLS area; musl's ld.so
refuses them too), DF_STATIC_TLS, text relocations (it maps code read-only from the executable
file) or COPY relocations (only executables have them).
"""

# cpu -> {relocation type number: name} the loader applies (the ABIs' numbers).
SUPPORTED_RELOCATIONS = {
    "x86_64": {
        0: "R_X86_64_NONE",
        1: "R_X86_64_64",
        6: "R_X86_64_GLOB_DAT",
        7: "R_X86_64_JUMP_SLOT",
        8: "R_X86_64_RELATIVE",
        16: "R_X86_64_DTPMOD64",
        17: "R_X86_64_DTPOFF64",
        36: "R_X86_64_TLSDESC",
        37: "R_X86_64_IRELATIVE",
    },
    "aarch64": {
        0: "R_AARCH64_NONE",
        256: "R_AARCH64_NONE",  # the ABI's older number for NONE
        257: "R_AARCH64_ABS64",
        1025: "R_AARCH64_GLOB_DAT",
        1026: "R_AARCH64_JUMP_SLOT",
        1027: "R_AARCH64_RELATIVE",
        1028: "R_AARCH64_TLS_DTPMOD64",
        1029: "R_AARCH64_TLS_DTPREL64",
        1031: "R_AARCH64_TLSDESC",
        1032: "R_AARCH64_IRELATIVE",
    },
}

# cpu -> {number: (name, why)} of relocation types with a known reason (the rest: "not supported").
REFUSED_RELOCATIONS = {
    "x86_64": {
        5: ("R_X86_64_COPY", "a COPY relocation (only executables have them)"),
        18: ("R_X86_64_TPOFF64", "initial-exec TLS (-ftls-model=initial-exec), which a loaded module cannot use"),
        2: ("R_X86_64_PC32", "a text relocation (code compiled without -fPIC)"),
        10: ("R_X86_64_32", "a text relocation (code compiled without -fPIC)"),
        11: ("R_X86_64_32S", "a text relocation (code compiled without -fPIC)"),
    },
    "aarch64": {
        1024: ("R_AARCH64_COPY", "a COPY relocation (only executables have them)"),
        1030: ("R_AARCH64_TLS_TPREL64", "initial-exec TLS (-ftls-model=initial-exec), which a loaded module cannot use"),
    },
}

# targets.bzl's elf_machine -> cpu (the relocation tables above).
CPU_OF_MACHINE = {"EM_X86_64": "x86_64", "EM_AARCH64": "aarch64"}


def relocation_name(cpu, number):
    if number in SUPPORTED_RELOCATIONS[cpu]:
        return SUPPORTED_RELOCATIONS[cpu][number]
    if number in REFUSED_RELOCATIONS[cpu]:
        return REFUSED_RELOCATIONS[cpu][number][0]
    return f"relocation type {number}"


def object_problems(obj, elf_machine, cpu):
    """The reasons the loader cannot load the SharedObject `obj` (empty when it can).

    elf_machine: targets.bzl's elf_machine of the target ("EM_X86_64"); cpu: "x86_64" or "aarch64"."""
    if CPU_OF_MACHINE.get(elf_machine) != cpu:
        raise ValueError(f"--elf_machine {elf_machine} is not a machine of --cpu {cpu}")
    problems = []
    if obj.elf_class != 64 or not obj.little_endian:
        problems.append(f"is ELFCLASS{obj.elf_class} {'little' if obj.little_endian else 'big'}-endian, expected a 64-bit little-endian object")
    if obj.machine != elf_machine:
        problems.append(f"is built for {obj.machine}, expected {elf_machine}")
    if obj.elf_type != "ET_DYN":
        problems.append(f"is {obj.elf_type}, expected a shared object (ET_DYN)")
    if not obj.has_dynamic:
        problems.append("has no dynamic segment (PT_DYNAMIC)")
    if problems:
        return problems  # the rest would be read with the wrong tables
    if obj.static_tls:
        problems.append("uses the static TLS model (DF_STATIC_TLS: initial-exec TLS), which a loaded module cannot use")
    if obj.textrel:
        problems.append("has text relocations (DT_TEXTREL: code compiled without -fPIC), which the loader cannot apply to read-only code")
    for number, count in sorted(obj.relocation_types.items()):
        if number in SUPPORTED_RELOCATIONS[cpu]:
            continue
        name, why = REFUSED_RELOCATIONS[cpu].get(number, (relocation_name(cpu, number), "a relocation type the loader does not apply"))
        problems.append(f"has {count} {name} relocation{'s' if count > 1 else ''}: {why}")
    return problems
