import pytest

from pystatic.runtime_toolchain import sysconfig_data

SOURCE = """# system configuration generated and used by the sysconfig module
build_time_vars = {'ABIFLAGS': '',
 'BINDIR': '/pystatic/bin',
 'CONFIG_ARGS': "'--prefix=/pystatic' '--disable-shared'",
 'EXT_SUFFIX': '.cpython-313-x86_64-linux-musl.so',
 'INCLUDEPY': '/pystatic/include/python3.13',
 'LDFLAGS': '-L/tmp/pystatic-build-0123456789ab/deps/lib',
 'Py_GIL_DISABLED': 0,
 'ZIG': '/var/tmp/rules_pystatic-zig-cache/zig',
 'abs_srcdir': '/tmp/pystatic-build-0123456789ab/src',
 'other': '/pystatic2/x /usr/pystatic'}
"""


def test_module_name_is_sysconfigs():
    assert sysconfig_data.module_name("x86_64-linux-musl") == "_sysconfigdata__linux_x86_64-linux-musl"


def test_build_paths_are_rebased_onto_sys_base_prefix_and_the_rest_kept():
    variables = sysconfig_data.read_build_time_vars(SOURCE, "x.py")
    code = sysconfig_data.generate(variables, "_sysconfigdata__linux_x86_64-linux-musl", "x.py")
    namespace = {}
    exec(compile(code, "generated", "exec"), namespace)
    # The base installation's, also in a virtual environment (where sys.prefix is the venv).
    root = namespace["sys"].base_prefix
    got = namespace["build_time_vars"]
    assert got["BINDIR"] == root + "/bin" and got["INCLUDEPY"] == root + "/include/python3.13"
    assert got["CONFIG_ARGS"] == f"'--prefix={root}' '--disable-shared'"
    assert got["LDFLAGS"] == f"-L{root}/deps/lib" and got["abs_srcdir"] == root + "/src"
    assert got["EXT_SUFFIX"] == ".cpython-313-x86_64-linux-musl.so" and got["Py_GIL_DISABLED"] == 0
    assert got["ZIG"] == "/var/tmp/rules_pystatic-zig-cache/zig", "rules_pystatic-... is not the prefix"
    assert got["other"] == "/pystatic2/x /usr/pystatic", "only whole path components"
    assert sorted(got) == sorted(variables)


def test_generated_source_is_deterministic():
    variables = sysconfig_data.read_build_time_vars(SOURCE, "x.py")
    assert sysconfig_data.generate(variables, "n", "x.py") == sysconfig_data.generate(dict(reversed(variables.items())), "n", "x.py")


def test_main_reads_the_distributions_module(tmp_path):
    (tmp_path / "_sysconfigdata__linux_aarch64-linux-musl.py").write_text(SOURCE)
    out = tmp_path / "out.py"
    assert sysconfig_data.main(["--stdlib", str(tmp_path), "--target_triple", "aarch64-linux-musl", "--output", str(out)]) == 0
    assert "'BINDIR': _ROOT + '/bin'," in out.read_text()


def test_a_missing_module_names_the_file(tmp_path, capsys):
    assert sysconfig_data.main(["--stdlib", str(tmp_path), "--target_triple", "x86_64-linux-musl", "--output", str(tmp_path / "o")]) == 1
    assert "_sysconfigdata__linux_x86_64-linux-musl.py" in capsys.readouterr().err


@pytest.mark.parametrize("source", ["x = 1\n", "build_time_vars = dict(a=1)\n", "build_time_vars = {\n"])
def test_unexpected_source_is_an_error(source):
    with pytest.raises(sysconfig_data.SysconfigError):
        sysconfig_data.read_build_time_vars(source, "x.py")


def test_free_threaded_build_reads_its_own_module(tmp_path):
    (tmp_path / "_sysconfigdata_t_linux_x86_64-linux-musl.py").write_text(SOURCE)
    (tmp_path / "_sysconfigdata__linux_x86_64-linux-musl.py").write_text("build_time_vars = {'WRONG': 1}\n")
    out = tmp_path / "out.py"
    args = ["--stdlib", str(tmp_path), "--target_triple", "x86_64-linux-musl", "--abiflags", "t", "--output", str(out)]
    assert sysconfig_data.main(args) == 0
    assert "'BINDIR': _ROOT + '/bin'," in out.read_text() and "WRONG" not in out.read_text()
    assert "(_sysconfigdata_t_linux_x86_64-linux-musl)" in out.read_text()
