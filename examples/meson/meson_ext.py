"""Packages whose extensions were built from their sdists by meson-python and scikit-build-core (docs/extensions.md).

Prints one JSON object: which of cysignals' modules are built-ins, that its SIGALRM handling
(a C signal handler raising a Python exception) works in the static binary, and that Levenshtein's
C++ extension (CMake-built) is the built-in that answers its functions.
"""

import json
import platform
import sys

import cysignals
from backend_reports import alarm_report, levenshtein_report
from cysignals.alarm import AlarmInterrupt
from cysignals.pysignals import getossignal
from cysignals.signals import AlarmInterrupt as SignalsAlarmInterrupt


def main():
    import signal

    report = {
        "machine": platform.machine(),
        "builtins": sorted(m for m in sys.builtin_module_names if m.startswith(("cysignals", "Levenshtein"))),
        "package_dir": cysignals.__path__[0],
        "same_exception": AlarmInterrupt is SignalsAlarmInterrupt,
        "alarm": alarm_report(),
        "sigint_handler_is_c": getossignal(signal.SIGINT) != signal.SIG_DFL,
        "levenshtein": levenshtein_report(),
    }
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
