"""Before resolving: one pip run per platform fetches the wheels of every requirements.txt pin the
download cache lacks (cache.py), instead of one pip run per pin and platform.

pip's start, not the download, is most of a fetch: about 0.7 s a run, 244 runs for a lock of 122
packages and two CPUs. One `pip download --no-deps` of all the pins, with the options the resolver
gives pip for one pin (fetch.pip_wheel_options), picks for each pin exactly the file that pin's own
run would; the files are filed in the cache with those picks, and the resolver then takes them from
there. A pin pip cannot fetch fails the whole run: the pin pip names is left out and the run repeated
(a few times at most); whatever is still missing is fetched one pin at a time by the resolver, which
reports what cannot be fetched. pylock.toml pins name their files and are left to the resolver.
A platform that takes pure wheels only (Windows) is left to the resolver too: it takes the pure wheel
pip picked for a platform before it (resolve.py, _pure_pick), so pip is asked only for the pins whose
pick there was a platform's own wheel, which mostly have no pure one: a run of all of them would fail
at each in turn.
"""

import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

from packaging.specifiers import SpecifierSet
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from pystatic.repository.hashing import sha256_of
from pystatic.repository.wheels.cache import pick_key
from pystatic.repository.wheels.fetch import pip_wheel_options
from pystatic.repository.wheels.lock import LockError, read_lock
from pystatic.repository.wheels.platforms import marker_applies

# How many times a run is repeated without the pin pip could not fetch.
RETRIES = 4
# pip's words for the requirement it could not fetch ("No matching distribution found for x==1",
# a hash mismatch's "    x==1 from ...").
FAILED_PIN = re.compile(r"(?:No matching distribution found for |^\s+)([A-Za-z0-9][A-Za-z0-9._-]*)==\S+", re.MULTILINE)


def pip_download_all(python, pins, options, dest):
    """`pip download --no-deps` of all `pins` ([(package, hashes)]) into dest; returns (ok, pip's output)."""
    req_file = pathlib.Path(dest).with_suffix(".txt")
    req_file.write_text("".join(f"{p.name}=={p.version} " + " ".join(f"--hash=sha256:{h}" for h in hashes) + "\n"
                                for p, hashes in pins))
    cmd = [python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--dest", str(dest)]
    run = subprocess.run(cmd + options + ["--require-hashes", "-r", str(req_file)], capture_output=True, text=True)
    return run.returncode == 0, run.stdout + run.stderr


def wanted(packages, platform, cache):
    """The requirements.txt pins of `packages` that apply to `platform` and whose pick the cache lacks."""
    pins = []
    options = pip_wheel_options(platform)
    for package in packages:
        if package.wheels or not package.hashes or not marker_applies(package.marker, platform):
            continue
        if package.requires_python and platform.python_version not in SpecifierSet(package.requires_python):
            continue
        if not cache.has_pick(pick_key("wheel", package, options), package.hashes):
            pins.append(package)
    return pins


def prefetch(python, packages, platforms, cache, work_dir, download=pip_download_all):
    """Fills `cache` with the wheels of `packages` (read_lock's) for each platform; returns how many files."""
    filed = 0
    for platform in platforms:
        if not platform.loads_extensions:
            continue
        options = pip_wheel_options(platform)
        pins = {p.key: p for p in wanted(packages, platform, cache)}
        for _ in range(RETRIES + 1):
            if not pins:
                break
            dest = pathlib.Path(tempfile.mkdtemp(dir=work_dir))
            ok, output = download(python, [(p, p.hashes) for p in pins.values()], options, dest)
            if ok:
                filed += _file(dest, pins, options, cache)
                pins = {}
                break
            failed = {canonicalize_name(name) for name in FAILED_PIN.findall(output)} & set(pins)
            if not failed:
                break
            for key in failed:
                del pins[key]
        if pins:
            print(f"pystatic.wheels: {platform.triple}: pip could not fetch {len(pins)} wheel(s) in one run; "
                  "they are fetched one at a time", file=sys.stderr)
    return filed


def prefetch_lock(python, lock, lock_label, excludes, platforms, cache, repo_dir, download=pip_download_all):
    """prefetch() of a lock file's pins; a lock that cannot be read is left to the resolver to report."""
    try:
        packages = read_lock(lock, lock_label)
    except (LockError, OSError, ValueError):
        return 0
    excluded = {canonicalize_name(e) for e in excludes}
    pathlib.Path(repo_dir).mkdir(parents=True, exist_ok=True)
    work = tempfile.mkdtemp(dir=repo_dir)
    try:
        return prefetch(python, [p for p in packages if p.key not in excluded], platforms, cache, work, download)
    finally:
        shutil.rmtree(work)


def _file(dest, pins, options, cache):
    """Files what pip saved in dest: each a pinned file of one of `pins`, with that pin's pick."""
    filed = 0
    for path in sorted(pathlib.Path(dest).iterdir()):
        try:
            name = parse_wheel_filename(path.name)[0]
        except InvalidWheelFilename:
            continue
        package = pins.get(canonicalize_name(name))
        digest = sha256_of(path)
        if package is None or digest not in package.hashes:  # the resolver fetches it and says what is wrong
            continue
        cache.store(path, digest)
        cache.remember(pick_key("wheel", package, options), digest)
        filed += 1
    shutil.rmtree(dest)
    return filed
