"""exec_tools: a fingerprint of the build machine's programs that actions run but do not declare.

The distribution's own scripts run under the build machine's `python3` (native py_binary), and its
configure/make actions run `sh`, `make`, `perl`, autotools, `pkgconf` and `patch` from the machine
(docs/remote-execution.md, "What every action needs"). Their paths alone are not in any action key,
so this repository records each program's real path and sha256 in `fingerprint.txt`, an input of
those actions: another python3, make or perl gives other keys. Bazel refetches it when one of the
files changes (`watch`).
"""

# What the actions run from PATH, by the name they call.
EXEC_TOOLS = ["python3", "sh", "make", "perl", "m4", "autoconf", "automake", "autoreconf", "libtoolize", "pkgconf", "patch"]

_FINGERPRINT = """\
import hashlib, os, sys
for name, path in zip(sys.argv[1::2], sys.argv[2::2]):
    real = os.path.realpath(path)
    with open(real, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(name, real, digest)
print("python3", sys.version.split()[0], sys.implementation.cache_tag)
"""

# The PATH of actions (.bazelrc: --incompatible_strict_action_env), not the PATH of the shell that
# started Bazel: the python3 and make the actions run are the ones found there.
ACTION_PATH = ["/bin", "/usr/bin", "/usr/local/bin"]

def _which(rctx, name):
    for directory in ACTION_PATH:
        path = rctx.path(directory + "/" + name)
        if path.exists:
            return path
    return None

def _exec_tools_impl(rctx):
    found = []
    missing = []
    for name in EXEC_TOOLS:
        path = _which(rctx, name)
        if path:
            found += [name, str(path)]
            if hasattr(rctx, "watch"):
                rctx.watch(path)
        else:
            missing.append(name)
    python = _which(rctx, "python3")
    if not python:
        fail("rules_pystatic: the build machine has no python3 in /bin, /usr/bin or /usr/local/bin (the PATH of actions); the distribution's scripts run with it. " +
             "Fix: install python3 (docs/remote-execution.md lists what actions need).")
    rctx.file("fingerprint.py", _FINGERPRINT)
    result = rctx.execute([python, "fingerprint.py"] + found)
    if result.return_code != 0:
        fail("rules_pystatic: could not fingerprint the build machine's tools: " + result.stderr)
    lines = result.stdout + "".join(["{} missing\n".format(name) for name in missing])
    rctx.file("fingerprint.txt", lines)
    rctx.delete("fingerprint.py")
    rctx.file("BUILD.bazel", 'exports_files(["fingerprint.txt"], visibility = ["//visibility:public"])\n')

exec_tools = repository_rule(
    implementation = _exec_tools_impl,
    doc = "fingerprint.txt: real path and sha256 of each program in EXEC_TOOLS found on PATH.",
    local = True,
)
