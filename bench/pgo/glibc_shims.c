/* The few glibc entry points Debian's libclang_rt.profile-x86_64.a (built for glibc, _FORTIFY_SOURCE)
 * calls that musl does not define. Linked only into bench/pgo/generate's instrumented CPython. */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

int __open_2(const char *path, int flags) { return open(path, flags); }

int __vfprintf_chk(FILE *stream, int flag, const char *format, va_list ap) {
    (void)flag;
    return vfprintf(stream, format, ap);
}

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, va_list ap) {
    (void)flag;
    (void)slen;
    return vsnprintf(s, maxlen, format, ap);
}
