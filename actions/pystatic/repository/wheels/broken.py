"""Why a locked package cannot be used: what fetching or unpacking it may raise, and the message
(the package, the file, the reason, the fix) that building what needs it then fails with.
"""

import re
import zipfile

from packaging.requirements import InvalidRequirement

from pystatic.repository.wheels.lock import LockError

NO_WHEEL_FIX = ("Fix: lock a version that has a musllinux or pure-Python (py3-none-any) wheel or pin its sdist "
                "(which is then built), or leave the package out (pystatic.wheels(exclude = [...]))")
# Platforms whose binaries cannot load extension modules (Windows): what has no pure wheel is built from its
# sdist when the repository fetches it (resolve.py).
PURE_ONLY_FIX = ("Fix: name the package in `sdists = [...]` of its pystatic.wheels, its sdist locked (it is then built "
                 "from source for {system}), or leave the package out of the deps of what you build for "
                 "@rules_pystatic//platforms:{name}")
# What fetching or unpacking one package may raise: it breaks that package only.
PACKAGE_ERRORS = (LockError, zipfile.BadZipFile, OSError, UnicodeDecodeError, InvalidRequirement, ValueError)
GENERIC_FIX = ("Fix: regenerate the lock (its sha256 must be the file's), check pip's index configuration "
               "(`pip config list`, PIP_INDEX_URL), or leave the package out (pystatic.wheels(exclude = [...]))")


def no_wheel_fix(platform):
    """The fix of a package that no wheel of the lock fits on `platform`."""
    return NO_WHEEL_FIX if platform.loads_extensions else PURE_ONLY_FIX.format(name=platform.name, system=platform.system)


def broken_message(package, what, err):
    """The message of a package that cannot be used: the package, the file, the reason and the fix."""
    reason = str(err).strip() or err.__class__.__name__
    # pip's progress bars and temporary paths change from run to run; the repository must not.
    reason = "\n".join(line for line in reason.splitlines() if " eta " not in line and "Downloading " not in line)
    reason = re.sub(r" ?\(from -r [^()]*(\([^()]*\))?[^()]*\)", "", reason)
    return f"{package.name} {package.version} ({what}) cannot be used: {reason}" + ("" if "Fix:" in reason else f"\n  {GENERIC_FIX}")
