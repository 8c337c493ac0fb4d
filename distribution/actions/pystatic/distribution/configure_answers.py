"""What CPython's configure may not ask the build machine: its checks that run a program or look at a
file answered for the target (musl Linux), in every build, native or cross.

Run natively, such a check answers from the build machine's state, not the target's libc:
HAVE_BROKEN_NICE came out defined under a niced Bazel server (nice() returns the same value at the
maximum niceness), so two checkouts built different distributions; a worker without /dev/shm, a
network or /dev/ptmx would change others. Cross, configure's defaults were wrong for musl (no
time.tzset on aarch64, an emulated sem_getvalue). A new CPython that adds such a check fails the
build until the check is answered here or listed among the compiler's own properties.
"""

import re

from pystatic.distribution.configure_make import BuildError

# musl Linux's answers, whatever machine runs configure.
ANSWERS = {
    # The pty module: Linux has /dev/ptmx; /dev/ptc is AIX's.
    "ac_cv_file__dev_ptmx": "yes",
    "ac_cv_file__dev_ptc": "no",
    # musl's getaddrinfo works; the cross default ("buggy") makes configure refuse IPv6.
    "ac_cv_buggy_getaddrinfo": "no",
    "ac_cv_broken_nice": "no",
    "ac_cv_broken_poll": "no",
    "ac_cv_broken_mbstowcs": "no",
    # musl's tzset understands POSIX TZ strings (the check's own), no time zone database needed.
    "ac_cv_working_tzset": "yes",
    "ac_cv_posix_semaphores_enabled": "yes",
    "ac_cv_broken_sem_getvalue": "no",
    "ac_cv_pthread_system_supported": "yes",
}

# The CPU's answers. "aligned memory access is required" picks str's hash: "yes" makes it FNV, which
# PEP 456 replaced by SipHash because it lets an attacker make colliding keys (a web server's dicts
# slowed to quadratic time). configure could not find the answer itself: natively its test program
# reads an int through a misaligned pointer, which zig cc (clang in Debug mode when given no -O, with
# the undefined-behaviour sanitizer) turns into an abort, read as "yes"; cross, the default is "yes".
# CPUs not listed keep configure's answer (FNV, safe where misaligned loads fault).
BY_CPU = {
    "x86_64": {"ac_cv_aligned_required": "no"},
    "aarch64": {"ac_cv_aligned_required": "no"},  # ARMv8-A loads and stores need no alignment in user space
}

# Checks that run a program but answer for the compiler and the CPU alone: the same on every machine
# that runs them, and configure's cross defaults for the others (BY_CPU answers some of them).
OF_THE_COMPILER = frozenset({
    "ac_cv_pthread_is_default", "ac_cv_kpthread", "ac_cv_kthread", "ac_cv_pthread", "ac_cv_aligned_required",
    "ac_cv_have_chflags", "ac_cv_have_lchflags", "ac_cv_x87_double_rounding", "ac_cv_wchar_t_signed",
    "ac_cv_rshift_extends_sign", "ac_cv_computed_gotos",
})

# Whether libuuid's node (the machine's MAC address) is stable: a check configure runs twice and
# caches nowhere. The binary runs on other machines than the one that built it: never "stable".
UUID_NODE_CHECK = 'if test -n "$py_cv_uuid_node1" -a "$py_cv_uuid_node1" = "$py_cv_uuid_node2"'
UUID_NODE_ANSWER = "if false  # rules_pystatic: the build machine's MAC says nothing about the target's"


def configure_args(target):
    """configure's cache variables for ANSWERS and the target CPU's BY_CPU (target: a triple such as
    x86_64-linux-musl), in a fixed order."""
    answers = {**ANSWERS, **BY_CPU.get(target.split("-")[0], {})}
    return [f"{name}={value}" for name, value in sorted(answers.items())]


def run_checks(configure_ac):
    """The cache variables of configure.ac's checks that run a program (AC_RUN_IFELSE inside an
    AC_CACHE_CHECK) or test a file (AC_CHECK_FILE(S))."""
    checks = [(m.start(), m.group(1))
              for m in re.finditer(r"AC_CACHE_CHECK\(\s*\[[^\]]*\]\s*,\s*\[(\w+)\]", configure_ac)]
    found = set()
    for run in re.finditer(r"AC_RUN_IFELSE", configure_ac):
        enclosing = [name for start, name in checks if start < run.start()]
        # A run outside any cached check (e.g. gcc's ipa-pure-const bug) has nothing to answer.
        if enclosing and _inside(configure_ac, run.start(), enclosing[-1]):
            found.add(enclosing[-1])
    for files in re.findall(r"AC_CHECK_FILES?\(\s*\[([^\]]*)\]", configure_ac):
        found.update("ac_cv_file_" + re.sub(r"\W", "_", name) for name in files.split())
    return found


def _inside(text, position, name):
    """Whether `position` is inside the AC_CACHE_CHECK of `name` (its parentheses not yet closed)."""
    start = text.rindex(f"[{name}]", 0, position)
    depth = text[text.rindex("AC_CACHE_CHECK(", 0, start):position].count("(")
    return depth > text[text.rindex("AC_CACHE_CHECK(", 0, start):position].count(")")


def check_answered(configure_ac, version):
    """Fails naming every check of this CPython's configure that would ask the build machine."""
    unanswered = sorted(run_checks(configure_ac) - set(ANSWERS) - OF_THE_COMPILER)
    if unanswered:
        raise BuildError(
            f"CPython {version}: configure runs checks that answer from the build machine: {', '.join(unanswered)}. "
            "Fix: give musl Linux's answer in ANSWERS of distribution/actions/pystatic/distribution/configure_answers.py, "
            "or list the check in OF_THE_COMPILER when only the compiler and the CPU decide it")


def fix_uuid_node_check(configure, version):
    """Makes the generated configure answer "unstable" to the libuuid node check (UUID_NODE_CHECK)."""
    text = configure.read_text()
    if "uuid_generate_time_safe() node value is stable" not in text:
        return  # a CPython without the check (before 3.13.4)
    fixed = text.replace(UUID_NODE_CHECK, UUID_NODE_ANSWER)
    if fixed == text:
        raise BuildError(f"CPython {version}: configure's libuuid node check changed; its fix no longer applies")
    configure.write_text(fixed)
