"""Checks that a Windows PE executable is static: it imports only Windows' own DLLs and the UCRT.

The counterpart of verify_elf.py for the windows targets (zig's x86_64-windows-gnu: mingw-w64
headers, UCRT import libraries). Windows has no fully static executable: every program imports
kernel32.dll. What must not be imported is anything a user's Windows lacks: MinGW's runtime DLLs
(libwinpthread-1.dll, libgcc_s_seh-1.dll, libstdc++-6.dll), MSVC's redistributable
(vcruntime140.dll, msvcp140.dll), a python3xx.dll, or the old msvcrt.dll mixed with the UCRT.
Allowed are the DLLs of Windows 10 and later (the UCRT, api-ms-win-crt-*.dll, is part of them).
Delay-loaded DLLs count as imports. Reads the file itself (the PE/COFF format, no library).
"""

import argparse
import struct
import sys

# COFF header Machine values, as the PE format names them (the `pe_machine` of a target's row in
# distribution/toolchains/targets.bzl).
COFF_MACHINE_NAMES = {
    0x014C: "IMAGE_FILE_MACHINE_I386",
    0x8664: "IMAGE_FILE_MACHINE_AMD64",
    0xAA64: "IMAGE_FILE_MACHINE_ARM64",
}

# DLLs every Windows 10 (and later) has, lower case. The UCRT's API sets are matched by prefix.
SYSTEM_DLLS = frozenset({
    "advapi32.dll", "bcrypt.dll", "cfgmgr32.dll", "comctl32.dll", "comdlg32.dll", "crypt32.dll",
    "dbghelp.dll", "dnsapi.dll", "gdi32.dll", "imm32.dll", "iphlpapi.dll", "kernel32.dll",
    "kernelbase.dll", "mswsock.dll", "ncrypt.dll", "netapi32.dll", "ntdll.dll", "ole32.dll",
    "oleaut32.dll", "pathcch.dll", "psapi.dll", "rpcrt4.dll", "secur32.dll", "setupapi.dll",
    "shell32.dll", "shlwapi.dll", "ucrtbase.dll", "user32.dll", "userenv.dll", "uuid.dll",
    "version.dll", "winhttp.dll", "wininet.dll", "winmm.dll", "ws2_32.dll", "wsock32.dll",
})
SYSTEM_PREFIXES = ("api-ms-win-crt-", "api-ms-win-core-")

_IMPORT_DIRECTORY = 1
_DELAY_IMPORT_DIRECTORY = 13


class PEError(Exception):
    """The file is not a PE image this reader understands."""


class _Image:
    """A PE image's headers and a reader of its virtual addresses (RVAs)."""

    def __init__(self, data):
        self.data = data
        if data[:2] != b"MZ" or len(data) < 0x40:
            raise PEError("no MZ header")
        (pe,) = struct.unpack_from("<I", data, 0x3C)
        if data[pe:pe + 4] != b"PE\0\0":
            raise PEError("no PE signature")
        machine, sections, _, _, _, optional_size, _ = struct.unpack_from("<HHIIIHH", data, pe + 4)
        self.machine = machine
        optional = pe + 24
        (magic,) = struct.unpack_from("<H", data, optional)
        if magic == 0x20B:  # PE32+
            self.subsystem = struct.unpack_from("<H", data, optional + 68)[0]
            count_at, directories = optional + 108, optional + 112
        elif magic == 0x10B:  # PE32
            self.subsystem = struct.unpack_from("<H", data, optional + 68)[0]
            count_at, directories = optional + 92, optional + 96
        else:
            raise PEError(f"unknown optional header magic {magic:#x}")
        (count,) = struct.unpack_from("<I", data, count_at)
        self.directories = [struct.unpack_from("<II", data, directories + 8 * i) for i in range(min(count, 16))]
        self.sections = []
        for i in range(sections):
            at = optional + optional_size + 40 * i
            _, virtual_size, address, raw_size, raw_at = struct.unpack_from("<8sIIII", data, at)
            self.sections.append((address, max(virtual_size, raw_size), raw_at, raw_size))

    def offset(self, rva):
        for address, size, raw_at, raw_size in self.sections:
            if address <= rva < address + size:
                if rva - address >= raw_size:
                    raise PEError(f"RVA {rva:#x} is in a section's uninitialised part")
                return raw_at + rva - address
        raise PEError(f"RVA {rva:#x} is in no section")

    def string(self, rva):
        at = self.offset(rva)
        end = self.data.index(b"\0", at)
        return self.data[at:end].decode("ascii", "replace")

    def directory(self, index):
        return self.directories[index] if index < len(self.directories) else (0, 0)


def _dll_names(image, index, entry_size, name_field):
    """The DLL names of an import directory: descriptors of entry_size bytes, name RVA at name_field."""
    rva, size = image.directory(index)
    names = []
    if not rva or not size:
        return names
    at = image.offset(rva)
    while True:
        entry = image.data[at:at + entry_size]
        if len(entry) < entry_size or entry == bytes(entry_size):
            return names
        (name,) = struct.unpack_from("<I", entry, name_field)
        names.append(image.string(name))
        at += entry_size


def imported_dlls(path):
    """(machine name, sorted DLL names) of a PE file: normal and delay-loaded imports; PEError if unreadable."""
    with open(path, "rb") as f:
        image = _Image(f.read())
    try:
        # IMAGE_IMPORT_DESCRIPTOR: 20 bytes, Name at 12; IMAGE_DELAYLOAD_DESCRIPTOR: 32 bytes, DllNameRVA at 4.
        dlls = _dll_names(image, _IMPORT_DIRECTORY, 20, 12) + _dll_names(image, _DELAY_IMPORT_DIRECTORY, 32, 4)
    except (struct.error, ValueError) as err:
        raise PEError(f"truncated import table: {err}") from err
    return COFF_MACHINE_NAMES.get(image.machine, f"{image.machine:#06x}"), sorted(set(dlls), key=str.lower)


def is_system_dll(name):
    """True for a DLL every Windows 10 and later has (the UCRT's api-ms-win-crt-* among them)."""
    lower = name.lower()
    return lower in SYSTEM_DLLS or lower.startswith(SYSTEM_PREFIXES)


def static_problems(path, pe_machine=None):
    """Returns a list of reasons why `path` is not a static Windows executable (empty if it is).

    pe_machine: the COFF Machine expected ("IMAGE_FILE_MACHINE_AMD64": the `pe_machine` of the
    target's row in distribution/toolchains/targets.bzl), or None not to check it."""
    try:
        machine, dlls = imported_dlls(path)
    except (PEError, OSError, struct.error) as err:
        return [f"is not a readable PE file: {err}"]
    problems = []
    if pe_machine is not None and machine != pe_machine:
        problems.append(f"machine is {machine}, expected {pe_machine}")
    foreign = [name for name in dlls if not is_system_dll(name)]
    if foreign:
        problems.append(f"imports DLLs that are not part of Windows: {', '.join(foreign)}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("binary")
    parser.add_argument("--pe_machine", help="the COFF Machine expected, e.g. IMAGE_FILE_MACHINE_AMD64 (the target's row of targets.bzl)")
    parser.add_argument("--stamp", help="file to write on success (for a Bazel validation action): the imported DLLs")
    args = parser.parse_args(argv)
    problems = static_problems(args.binary, args.pe_machine)
    if problems:
        print(f"error: {args.binary} is not a static Windows executable: it " + "; it ".join(problems) +
              ". Fix: link those libraries statically (zig cc -target x86_64-windows-gnu -static), or drop them.",
              file=sys.stderr)
        return 1
    if args.stamp:
        _, dlls = imported_dlls(args.binary)
        with open(args.stamp, "w", encoding="utf-8") as stamp:
            stamp.write("".join(name + "\n" for name in dlls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
