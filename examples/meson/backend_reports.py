"""What cysignals (meson-python) and Levenshtein (scikit-build-core, C++) do, built from their sdists:
shared by examples/meson and the aarch64 cross build of each backend (tests/sdists)."""

import time

import Levenshtein
import Levenshtein.levenshtein_cpp
from cysignals.alarm import AlarmInterrupt, alarm, cancel_alarm


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
