import pytest

from pystatic.distribution import configure_answers
from pystatic.distribution.configure_make import BuildError

# configure.ac's shapes, as CPython 3.13 writes them.
CONFIGURE_AC = """\
AC_CACHE_CHECK([for broken nice()], [ac_cv_broken_nice], [
AC_RUN_IFELSE([AC_LANG_SOURCE([[
#include <stdlib.h>
int main(void) { int val1 = nice(1); if (val1 != -1 && val1 == nice(2)) exit(0); exit(1); }
]])],
[ac_cv_broken_nice=yes],
[ac_cv_broken_nice=no],
[ac_cv_broken_nice=no])])

AC_CACHE_CHECK([for -O2], [ac_cv_compile_o2], [
AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])], [ac_cv_compile_o2=yes], [ac_cv_compile_o2=no])
])

AC_MSG_CHECKING([for glibc _FORTIFY_SOURCE/memmove bug])
AC_RUN_IFELSE([AC_LANG_SOURCE([[int main(void) { return (0); }]])], [bug=no], [bug=yes], [bug=no])

AC_CACHE_CHECK([whether wchar_t is signed], [ac_cv_wchar_t_signed], [
  AC_RUN_IFELSE([AC_LANG_SOURCE([[int main(void) { return ((((wchar_t) -1) < ((wchar_t) 0)) ? 0 : 1); }]])],
  [ac_cv_wchar_t_signed=yes], [ac_cv_wchar_t_signed=no], [ac_cv_wchar_t_signed=yes])])

AC_CHECK_FILES([/dev/ptmx], [], [])
"""


def test_run_checks_are_the_cached_checks_that_run_a_program_or_test_a_file():
    # Not -O2 (it only compiles) and not the memmove bug (no cache variable to answer).
    assert configure_answers.run_checks(CONFIGURE_AC) == {"ac_cv_broken_nice", "ac_cv_wchar_t_signed",
                                                          "ac_cv_file__dev_ptmx"}


def test_a_check_that_would_ask_the_build_machine_fails_the_build_naming_it():
    new_check = CONFIGURE_AC + """
AC_CACHE_CHECK([for working getrandom], [ac_cv_working_getrandom], [
AC_RUN_IFELSE([AC_LANG_SOURCE([[int main(void) { return 0; }]])], [x=yes], [x=no], [x=no])])
"""
    configure_answers.check_answered(CONFIGURE_AC, "3.13.15")
    with pytest.raises(BuildError, match="ac_cv_working_getrandom.*Fix: give musl Linux's answer"):
        configure_answers.check_answered(new_check, "3.99.0")


def test_the_answers_are_configure_arguments_in_a_fixed_order():
    args = configure_answers.configure_args("x86_64-linux-musl")
    assert args == sorted(args)
    assert {"ac_cv_broken_nice=no", "ac_cv_working_tzset=yes", "ac_cv_buggy_getaddrinfo=no"} <= set(args)


def test_cpus_without_alignment_faults_keep_siphash_and_others_keep_configure_s_answer():
    # "no" keeps str's hash SipHash; configure's own answer under zig cc was "yes" (FNV).
    for target in ("x86_64-linux-musl", "aarch64-linux-musl"):
        assert "ac_cv_aligned_required=no" in configure_answers.configure_args(target), target
    assert not [a for a in configure_answers.configure_args("riscv64-linux-musl") if "aligned" in a]


def test_the_uuid_node_check_answers_unstable_and_fails_loudly_when_changed(tmp_path):
    configure = tmp_path / "configure"
    check = 'printf %s "checking if uuid_generate_time_safe() node value is stable... "\n'
    configure.write_text(check + configure_answers.UUID_NODE_CHECK + "\nthen\n")
    configure_answers.fix_uuid_node_check(configure, "3.13.15")
    assert configure_answers.UUID_NODE_CHECK not in configure.read_text()
    assert "if false" in configure.read_text()
    configure.write_text(check + 'if test "$py_cv_uuid_node1" = "$py_cv_uuid_node2"\nthen\n')
    with pytest.raises(BuildError, match="libuuid node check changed"):
        configure_answers.fix_uuid_node_check(configure, "3.99.0")
