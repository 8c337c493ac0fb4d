"""runtime/libc_thread.c in a real py_static_binary (docs/libc.md): its pthread_mutex_lock, trylock
and unlock are linked instead of musl's (which are aliases of musl's hidden __pthread_mutex_*, at
the same address), and a program using SQLite and threads runs correctly."""

from test_binary import MUSL, elf_symbols, run


def elf_symbol_values(path):
    """{name: value} of the symbols an ELF file defines."""
    values = {}
    for name, shndx, value in elf_symbols(path):
        if shndx != 0:  # SHN_UNDEF
            values.setdefault(name, value)
    return values


def test_the_executables_mutex_functions_are_the_runtimes_not_musls(bazel, tmp_path):
    binary = bazel.build_file("//tests/binary:libc_thread", MUSL, "--strip=never")
    values = elf_symbol_values(binary)
    for name in ("pthread_mutex_lock", "pthread_mutex_trylock", "pthread_mutex_unlock"):
        # musl's own stay linked (the fallbacks), at other addresses than the public names.
        assert "__" + name in values and name in values, name
        assert values[name] != values["__" + name], name
    assert "__private_cond_signal" in values and "pthread_cond_signal" in values
    result = run([str(binary)], tmp_path)
    assert result.returncode == 0 and result.stdout == "libc_thread ok\n", result.stdout + result.stderr
