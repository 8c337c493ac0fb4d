"""Shared by tests/actions and tests/integration: in CI a skipped test is a failed test.

tools/test sets PYSTATIC_NO_SKIPS=1: a test that skips (a tool missing, a root that cannot be made)
then fails with its skip reason, so CI never passes without running a proof. Without the variable
(a developer's machine without qemu, say) skips stay skips and `pytest -rs` lists them.
"""

import os

import pytest

NO_SKIPS = os.environ.get("PYSTATIC_NO_SKIPS") == "1"


def _fail_instead_of_skip(report):
    if NO_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, and PYSTATIC_NO_SKIPS=1 turns a skip into a failure: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    _fail_instead_of_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    _fail_instead_of_skip(report)
    return report
