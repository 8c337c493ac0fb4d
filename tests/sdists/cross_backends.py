"""One extension per PEP 517 backend, built from its sdist for the target (tests/sdists/BUILD.bazel).

Prints one JSON object with the reports examples/sdists and examples/meson print for these packages.
"""

import json
import platform
import sys

from backend_reports import alarm_report, levenshtein_report
from sdist_reports import cffi_report, frozenlist_report, yaml_report


def main():
    report = {
        "machine": platform.machine(),
        "builtins": sorted(m for m in sys.builtin_module_names
                           if m.split(".")[0] in ("yaml", "frozenlist", "_cffi_backend", "cysignals", "Levenshtein")),
        "yaml": yaml_report(),
        "frozenlist": frozenlist_report(),
        "cffi": cffi_report(),
        "alarm": alarm_report(),
        "levenshtein": levenshtein_report(),
    }
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
