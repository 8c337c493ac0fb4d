import struct

import pytest

from pystatic.binary import verify_pe

_SECTION_RVA = 0x1000
_SECTION_AT = 0x200


def _pe(imports=(), delay_imports=(), machine=0x8664, pe32_plus=True):
    """A minimal PE image: headers and one section holding the import directories and DLL names."""
    names = {}
    section = bytearray()

    def name_rva(name):
        if name not in names:
            names[name] = _SECTION_RVA + len(section)
            section.extend(name.encode() + b"\0")
        return names[name]

    for name in (*imports, *delay_imports):
        name_rva(name)
    while len(section) % 4:
        section.append(0)
    import_rva = _SECTION_RVA + len(section)
    for name in imports:
        section.extend(struct.pack("<IIIII", 0, 0, 0, name_rva(name), 0))
    section.extend(bytes(20))
    delay_rva = _SECTION_RVA + len(section)
    for name in delay_imports:
        section.extend(struct.pack("<IIIIIIII", 1, name_rva(name), 0, 0, 0, 0, 0, 0))
    section.extend(bytes(32))

    directories = [(0, 0)] * 16
    directories[1] = (import_rva, 20 * (len(imports) + 1))
    if delay_imports:
        directories[13] = (delay_rva, 32 * (len(delay_imports) + 1))
    if pe32_plus:
        optional = struct.pack("<H", 0x20B) + bytes(66) + struct.pack("<H", 3) + bytes(38) + struct.pack("<I", 16)
    else:
        optional = struct.pack("<H", 0x10B) + bytes(66) + struct.pack("<H", 3) + bytes(22) + struct.pack("<I", 16)
    optional += b"".join(struct.pack("<II", *d) for d in directories)
    dos = bytearray(0x40)
    dos[:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)
    coff = struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, len(optional), 0x22)
    header = struct.pack("<8sIIIIIIHHI", b".idata", len(section), _SECTION_RVA, len(section), _SECTION_AT, 0, 0, 0, 0, 0)
    image = bytes(dos) + b"PE\0\0" + coff + optional + header
    assert len(image) <= _SECTION_AT
    return image + bytes(_SECTION_AT - len(image)) + bytes(section)


UCRT_HELLO = ("KERNEL32.dll", "api-ms-win-crt-runtime-l1-1-0.dll", "api-ms-win-crt-stdio-l1-1-0.dll")


def _write(tmp_path, data, name="a.exe"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_reads_the_imported_dlls_and_the_machine(tmp_path):
    path = _write(tmp_path, _pe(UCRT_HELLO, delay_imports=["bcrypt.dll"]))
    assert verify_pe.imported_dlls(path) == (
        "IMAGE_FILE_MACHINE_AMD64",
        ["api-ms-win-crt-runtime-l1-1-0.dll", "api-ms-win-crt-stdio-l1-1-0.dll", "bcrypt.dll", "KERNEL32.dll"],
    )


def test_ucrt_and_windows_dlls_pass(tmp_path):
    path = _write(tmp_path, _pe(UCRT_HELLO + ("WS2_32.dll", "ADVAPI32.dll")))
    assert verify_pe.static_problems(path, "IMAGE_FILE_MACHINE_AMD64") == []


@pytest.mark.parametrize("dll", ["libwinpthread-1.dll", "libgcc_s_seh-1.dll", "vcruntime140.dll", "python313.dll",
                                 "msvcrt.dll"])
def test_a_dll_windows_lacks_is_named(tmp_path, dll):
    path = _write(tmp_path, _pe(UCRT_HELLO + (dll,)))
    assert verify_pe.static_problems(path) == [f"imports DLLs that are not part of Windows: {dll}"]


def test_delay_loaded_dlls_count(tmp_path):
    path = _write(tmp_path, _pe(UCRT_HELLO, delay_imports=["libssl-3-x64.dll"]))
    assert verify_pe.static_problems(path) == ["imports DLLs that are not part of Windows: libssl-3-x64.dll"]


def test_wrong_machine_is_reported(tmp_path):
    path = _write(tmp_path, _pe(UCRT_HELLO, machine=0xAA64))
    assert verify_pe.static_problems(path, "IMAGE_FILE_MACHINE_AMD64") == [
        "machine is IMAGE_FILE_MACHINE_ARM64, expected IMAGE_FILE_MACHINE_AMD64"
    ]


def test_pe32_images_are_read_too(tmp_path):
    path = _write(tmp_path, _pe(UCRT_HELLO, machine=0x14C, pe32_plus=False))
    assert verify_pe.imported_dlls(path)[0] == "IMAGE_FILE_MACHINE_I386"
    assert verify_pe.static_problems(path, "IMAGE_FILE_MACHINE_I386") == []


def test_not_a_pe_file(tmp_path):
    path = _write(tmp_path, b"\x7fELF" + bytes(60), "elf")
    assert verify_pe.static_problems(path) == ["is not a readable PE file: no MZ header"]


def test_an_import_name_outside_every_section_is_a_problem_not_a_crash(tmp_path):
    data = bytearray(_pe(UCRT_HELLO))
    (import_rva, _) = struct.unpack_from("<II", data, 0x40 + 24 + 112 + 8)  # data directory 1 of PE32+
    struct.pack_into("<I", data, _SECTION_AT + import_rva - _SECTION_RVA + 12, 0x99999)  # first DLL's name
    problems = verify_pe.static_problems(_write(tmp_path, bytes(data)))
    assert len(problems) == 1 and problems[0].startswith("is not a readable PE file"), problems


def test_main_writes_the_dlls_to_the_stamp_or_fails_naming_them(tmp_path, capsys):
    good = _write(tmp_path, _pe(UCRT_HELLO))
    stamp = tmp_path / "ok"
    assert verify_pe.main([str(good), "--pe_machine", "IMAGE_FILE_MACHINE_AMD64", "--stamp", str(stamp)]) == 0
    assert stamp.read_text().split() == ["api-ms-win-crt-runtime-l1-1-0.dll", "api-ms-win-crt-stdio-l1-1-0.dll",
                                         "KERNEL32.dll"]
    bad = _write(tmp_path, _pe(UCRT_HELLO + ("libwinpthread-1.dll",)), "bad.exe")
    assert verify_pe.main([str(bad), "--stamp", str(tmp_path / "no")]) == 1
    assert "libwinpthread-1.dll" in capsys.readouterr().err and not (tmp_path / "no").exists()
