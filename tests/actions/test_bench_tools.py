"""bench/ tools that need no build or run: bench/pyperformance's report with its bolt column,
bench/apps_peers.py's check of the wheel kinds the venv and the static build have, bench/apps_profile.py's
reading of callgrind's output and its report. (bench/bolt.py's link replay is the PyStaticBolt action's:
tests/actions/test_bolt.py.)"""

import datetime
import pathlib
import sys
from importlib.machinery import SourceFileLoader

BENCH = pathlib.Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

PYPERFORMANCE = SourceFileLoader("bench_pyperformance", str(BENCH / "pyperformance")).load_module()


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


APPS_PROFILE = SourceFileLoader("bench_apps_profile", str(BENCH / "apps_profile.py")).load_module()
ANNOTATED = """\
Profiled target:  /usr/bin/python3.13 --version (PID 1, part 1)
--------------------------------------------------------------------------------
51,129,679 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                    file:function
--------------------------------------------------------------------------------
265,649,359 (519.6%)  ???:_PyEval_EvalFrameDefault'2 [/usr/bin/python3.13]
45,239,019 (88.48%)  ???:_PyEval_EvalFrameDefault [/usr/bin/python3.13]
27,748,744 (54.27%)  ./Python/pylifecycle.c:Py_InitializeFromConfig [/usr/bin/python3.13]
 9,000,000 (17.60%)  ???:PyMarshal_ReadObjectFromString [/usr/bin/python3.13]
 4,000,000 (7.82%)  ???:type_new [/usr/bin/python3.13]
 3,000,000 (5.87%)  ???:type_new'2 [/usr/bin/python3.13]
 1,000,000 (1.96%)  ???:type_new [/lib/other.so]
 2,000,000 (3.91%)  ???:gc_collect_main.llvm.17218307322342505811 [/usr/bin/python3.13]
"""


def test_callgrind_annotate_output_gives_outermost_inclusive_costs():
    costs, total = APPS_PROFILE.inclusive(ANNOTATED)
    assert total == 51_129_679
    # Deeper recursion levels ('2) are already inside the outermost call's cost; one name in two
    # objects: the larger.
    assert costs["_PyEval_EvalFrameDefault"] == 45_239_019 and "_PyEval_EvalFrameDefault'2" not in costs
    assert costs["Py_InitializeFromConfig"] == 27_748_744 and costs["type_new"] == 4_000_000
    assert costs["gc_collect_main"] == 2_000_000  # ThinLTO's .llvm.<n> suffix dropped
    try:
        APPS_PROFILE.inclusive("no totals here\n")
    except ValueError:
        pass
    else:
        raise AssertionError("output without PROGRAM TOTALS accepted")


def test_a_profile_splits_at_the_exit_and_says_what_remains(monkeypatch):
    exit_part = "8,000,000 (100.0%)  PROGRAM TOTALS\n"
    monkeypatch.setattr(APPS_PROFILE, "annotate",
                        lambda path: APPS_PROFILE.inclusive(ANNOTATED if path == "part1" else exit_part))
    everything = {f for _, _, functions in APPS_PROFILE.SHARES for f in functions}
    # Every part after the first is the exit's (one dump per function where the exit may start).
    ours = APPS_PROFILE.profile(["part1", "exit", "exit"], everything)
    assert ours["total"] == 51_129_679 + 16_000_000 and ours["exit"] == 16_000_000
    assert ours["unmarshal"] == 9_000_000 and ours["classes"] == 4_000_000 and ours["start"] == 27_748_744
    assert ours["gc"] == 2_000_000 and ours["compile"] == 0  # symbols, and not run: 0
    ours = APPS_PROFILE.profile(["part1", "exit"], everything)
    # A stripped binary: only what it has symbols for (marshal_loads missing: unmarshalling unknown, not 9 M).
    stripped = APPS_PROFILE.profile(["part1", "exit"], {"PyMarshal_ReadObjectFromString", "Py_InitializeFromConfig"})
    assert stripped["unmarshal"] is None and stripped["gc"] is None and stripped["start"] == 27_748_744
    assert APPS_PROFILE.profile(["part1"], everything)["exit"] is None  # not split: the exit unknown
    theirs = dict(ours, total=60_000_000)
    sentence = APPS_PROFILE.remains("app", {"static": ours, "venv": theirs, "venv-static": dict(ours, total=70_000_000)})
    # 59.1 M against 0.7 x 60 M = 42 M: 17 M to go, larger than each share named.
    assert sentence.startswith("app: 0.99 of Debian's instructions; 0.7x needs 17 M fewer, 29 % of the run")
    assert "unmarshalling bytecode 9 M, the exit 8 M, class creation (`type_new`) 4 M" in sentence
    assert sentence.endswith("saves 11 M of the same build's run.")
    assert APPS_PROFILE.remains("app", {"static": ours, "venv": dict(ours, total=100_000_000)}) == "app: at 0.59, within 0.7x."
    lines = []
    APPS_PROFILE.report(lambda line="": lines.append(line), ["app"], {"app": {"static": ours, "venv": theirs}}, {("app", "venv-static"): "exit 1"})
    assert "| app | rules_pystatic | 59 M | 0.99 | 8 M (14 %) | 9 M (15 %) | 0 M (0 %) | 4 M (7 %) | 2 M (3 %) | 28 M (47 %) | 0 M (0 %) |" in lines
    assert "| app | venv, the same build from disk | failed: exit 1 | | | | | | | | |" in lines


def test_a_section_of_results_md_is_replaced_or_added_after_its_neighbour(tmp_path, monkeypatch):
    bench_tools = APPS_PROFILE.bench_tools
    monkeypatch.setattr(bench_tools, "REPO", tmp_path)
    (tmp_path / "bench").mkdir()
    results = tmp_path / "bench" / "results.md"
    results.write_text("# Top\n\n## Apps\n\nold apps\n\n## Windows\n\nwine\n")
    bench_tools.replace_section("## Profile", "## Profile\n\nfirst", after="## Apps")
    assert results.read_text() == "# Top\n\n## Apps\n\nold apps\n\n## Profile\n\nfirst\n\n## Windows\n\nwine\n"
    bench_tools.replace_section("## Profile", "## Profile\n\nsecond", after="## Apps")
    assert results.read_text() == "# Top\n\n## Apps\n\nold apps\n\n## Profile\n\nsecond\n\n## Windows\n\nwine\n"
    bench_tools.replace_section("## Last", "## Last\n\nat the end")
    assert results.read_text().endswith("wine\n\n## Last\n\nat the end\n")
