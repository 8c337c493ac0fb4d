"""Packages whose extensions were built from their sdists by meson-python and scikit-build-core (docs/extensions.md).

Prints one JSON object: which of cysignals' modules are built-ins, that its SIGALRM handling
(a C signal handler raising a Python exception) works in the static binary, and that Levenshtein's
C++ extension (CMake-built) is the built-in that answers its functions.
"""

import json
import platform
import sys
import time

import cysignals
import Levenshtein
import Levenshtein.levenshtein_cpp
from cysignals.alarm import AlarmInterrupt, alarm, cancel_alarm
from cysignals.pysignals import getossignal
from cysignals.signals import AlarmInterrupt as SignalsAlarmInterrupt


def alarm_report():
    start = time.monotonic()
    try:
        alarm(0.2)
        while time.monotonic() - start < 10:
            sum(range(1000))
    except AlarmInterrupt as err:
        return {"caught": type(err).__name__, "after_s": round(time.monotonic() - start, 2)}
    finally:
        cancel_alarm()
    return {"caught": None}


def levenshtein_report():
    """Functions of Levenshtein's own extension (levenshtein_cpp: median, quickmedian, ...), not rapidfuzz's."""
    words = ["SpSm", "mpamm", "Spam", "Spa", "Sua", "hSam"]
    return {
        "module": Levenshtein.levenshtein_cpp.__name__,
        "origin": Levenshtein.levenshtein_cpp.__spec__.origin,
        "median": Levenshtein.median(words),
        "quickmedian": Levenshtein.quickmedian(words),
        "distance": Levenshtein.distance("kitten", "sitting"),
    }


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
