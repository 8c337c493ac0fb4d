/* A C program for the windows targets (zig's x86_64-windows-gnu, UCRT), run under wine by
 * tests/integration/test_windows.py: one run proves several things, since wine starts slowly.
 * It names the C runtime it was built with and its own module's file name (GetModuleFileNameW, as UTF-8),
 * echoes its argument and exits with 7 (the exit code crosses wine). */
#include <stdio.h>
#include <string.h>
#include <windows.h>

int main(int argc, char **argv) {
#if defined(_UCRT)
    const char *crt = "ucrt";
#else
    const char *crt = "msvcrt";
#endif
#if defined(_WIN64)
    const char *bits = "win64";
#else
    const char *bits = "win32";
#endif
    wchar_t module[MAX_PATH];
    DWORD length = GetModuleFileNameW(NULL, module, MAX_PATH);
    char utf8[4 * MAX_PATH];
    int size = WideCharToMultiByte(CP_UTF8, 0, module, (int)length, utf8, sizeof utf8 - 1, NULL, NULL);
    utf8[size > 0 ? size : 0] = 0;
    const char *base = strrchr(utf8, '\\');
    printf("hello from rules_pystatic (%s, %s)\n", crt, bits);
    printf("module: %s\n", base ? base + 1 : utf8);
    printf("argument: %s\n", argc > 1 ? argv[1] : "(none)");
    fflush(stdout);
    return 7;
}
