"""`python -m test` under wine: regrtest's Windows load tracker reads HKEY_PERFORMANCE_DATA, which
wine does not have (OSError WinError 6, not the PermissionError regrtest expects of a standard
account): it is refused as such, and the suite runs as on Windows. The rest is regrtest's main."""

from test.libregrtest import logger, win_utils


class NoLoadTracker:
    def __init__(self):
        raise PermissionError("wine has no HKEY_PERFORMANCE_DATA")


win_utils.WindowsLoadTracker = logger.WindowsLoadTracker = NoLoadTracker

from test.libregrtest.main import main  # noqa: E402 (after the patch)

main()
