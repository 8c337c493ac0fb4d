import shutil
import subprocess
import sys

import pytest

from pystatic.binary import verify_elf


@pytest.fixture(scope="module")
def dynamic_binary(tmp_path_factory):
    """The build machine's own python: dynamically linked, with an interpreter."""
    path = tmp_path_factory.mktemp("elf") / "python"
    shutil.copy(sys.executable, path)
    return path


@pytest.fixture(scope="module")
def static_binary(tmp_path_factory):
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed")
    d = tmp_path_factory.mktemp("elf")
    (d / "s.c").write_text("int main(void) { return 0; }\n")
    result = subprocess.run([gcc, "-static", "-o", str(d / "s"), str(d / "s.c")], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"no static libc for gcc: {result.stderr.decode()[-200:]}")
    return d / "s"


def test_dynamic_binary_is_rejected_with_reasons(dynamic_binary):
    problems = verify_elf.static_problems(dynamic_binary)
    assert any("PT_INTERP" in p for p in problems)
    assert any("DT_NEEDED" in p and "libc.so" in p for p in problems)


def test_static_binary_passes(static_binary):
    assert verify_elf.static_problems(static_binary, "EM_X86_64") == []


def test_wrong_machine_is_reported(static_binary):
    assert verify_elf.static_problems(static_binary, "EM_AARCH64") == [
        "machine is EM_X86_64, expected EM_AARCH64"
    ]


def test_not_an_elf_file(tmp_path):
    path = tmp_path / "script.sh"
    path.write_text("#!/bin/sh\n")
    [problem] = verify_elf.static_problems(path)
    assert problem.startswith("is not a readable ELF file")


def test_truncated_elf_does_not_crash(tmp_path, static_binary):
    path = tmp_path / "truncated"
    path.write_bytes(static_binary.read_bytes()[:100])
    problems = verify_elf.static_problems(path)
    assert problems and problems[0].startswith("is not a readable ELF file")


def test_main_exit_codes_and_stamp(tmp_path, static_binary, dynamic_binary, capsys):
    stamp = tmp_path / "ok.stamp"
    assert verify_elf.main([str(static_binary), "--stamp", str(stamp)]) == 0
    assert stamp.read_text() == "static\n"
    assert verify_elf.main([str(dynamic_binary)]) == 1
    assert "is not a fully static executable" in capsys.readouterr().err
