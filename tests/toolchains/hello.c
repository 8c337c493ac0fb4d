/* A C program that proves the toolchain --platforms selects: it names the libc it was built with. */
#include <stdio.h>

int main(void) {
#if defined(__GLIBC__)
    const char *libc = "glibc";
#elif defined(__linux__)
    const char *libc = "musl";
#else
    const char *libc = "other";
#endif
    printf("hello from rules_pystatic (%s libc)\n", libc);
    return 0;
}
