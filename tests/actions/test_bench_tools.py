"""bench/ tools that need no build or run: bench/bolt.py's link replay, bench/pyperformance's report
with its bolt column, bench/apps_peers.py's check of the wheel kinds the venv and the static build have."""

import datetime
import pathlib
import sys
from importlib.machinery import SourceFileLoader

BENCH = pathlib.Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import bolt  # noqa: E402

PYPERFORMANCE = SourceFileLoader("bench_pyperformance", str(BENCH / "pyperformance")).load_module()


def test_the_replayed_link_keeps_symbols_and_relocations(tmp_path):
    printed = ("note: something else\n"
               "ld.lld --error-limit=0 -O3 --gc-sections -s -znow -static -o bazel-out/python crt1.o main.o libc.a\n")
    assert bolt.lld_arguments(printed, tmp_path / "python-relocs") == [
        "--error-limit=0", "-O3", "--gc-sections", "-znow", "-static", "-o", str(tmp_path / "python-relocs"), "crt1.o",
        "main.o", "libc.a", "--emit-relocs"]
    assert bolt.lld_arguments("error: unsupported linker arg: --emit-relocs\n", tmp_path / "x") is None


def test_the_report_gains_a_bolt_column_only_when_measured():
    class Args:
        quick, rounds, values, clock, revision = False, 1, 1, "cpu", "build of commit x"

    samples = {("nbody", "static"): [0.9], ("nbody", "disk"): [1.0], ("nbody", "debian"): [1.0]}
    started = datetime.datetime(2026, 12, 6)
    lines, _ = PYPERFORMANCE.report(Args, dict(samples), started, 0.5, 60)
    assert "| benchmark | static | disk | debian | static / debian | disk / debian |" in lines
    assert "| nbody | 900 ms | 1 s | 1 s | 0.90 | 1.00 |" in lines
    samples[("nbody", "bolt")] = [0.8]
    lines, _ = PYPERFORMANCE.report(Args, samples, started, 0.5, 60)
    assert "| benchmark | static | disk | debian | bolt | static / debian | disk / debian | bolt / debian |" in lines
    assert "| nbody | 900 ms | 1 s | 1 s | 800 ms | 0.90 | 1.00 | 0.80 |" in lines
    assert lines[-1] == "| **geometric mean** (1) | | | | | **0.90** (medians 0.90) | **1.00** (medians 1.00) | **0.80** (medians 0.80) |"

    # --also LABEL=COMMAND: one more column, described by its command.
    Args.also = [("pymalloc", "env PYTHONMALLOC=pymalloc /p/python")]
    samples[("nbody", "pymalloc")] = [1.1]
    lines, _ = PYPERFORMANCE.report(Args, samples, started, 0.5, 60)
    assert "- **pymalloc**: `env PYTHONMALLOC=pymalloc /p/python`" in lines
    assert "| nbody | 900 ms | 1 s | 1 s | 800 ms | 1.1 s | 0.90 | 1.00 | 0.80 | 1.10 |" in lines


def test_the_apps_bench_names_packages_the_venv_has_compiled_and_the_static_build_pure(tmp_path):
    """bench/apps.py's venv gets manylinux wheels (black's mypyc build); the static build a pure one."""
    import apps_peers

    for name, record in (("black-26.10.1", "black/__init__.py,,\n85cae__mypyc.cpython-313-x86_64-linux-gnu.so,,\n"),
                         ("click-8.5.1", "click/core.py,,\n"),
                         ("charset_normalizer-3.5.3", "charset_normalizer/md.cpython-313-x86_64-linux-gnu.so,,\n")):
        (tmp_path / f"{name}.dist-info").mkdir()
        (tmp_path / f"{name}.dist-info" / "RECORD").write_text(record)
    wheels = {"black": {"x86_64": "black-26.10.1-py3-none-any.whl"}, "click": {"x86_64": "click-8.5.1-py3-none-any.whl"},
              "charset-normalizer": {"x86_64": "charset_normalizer-3.5.3-cp313-cp313-musllinux_1_2_x86_64.whl"}}
    assert apps_peers.compiled_only_in_venv(tmp_path, wheels) == ["black"]
