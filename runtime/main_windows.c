/* wmain() of a py_static_binary for Windows (x86_64-windows-gnu, the UCRT; docs/windows.md): the
 * blob checked, then start_up.c's start-up with the executable's path from GetModuleFileNameW and
 * the wide command line as Windows passed it; py_static_interpreter's command line is
 * interpreter_windows.c's. Linked with -municode. Not here: the loader of embedded shared objects
 * (win_amd64 wheels with extensions are a build error). */
#include "pystatic_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

/* UTF-8 of a wide string (malloc'd), or NULL. */
static char *utf8(const wchar_t *wide) {
    int size = WideCharToMultiByte(CP_UTF8, 0, wide, -1, NULL, 0, NULL, NULL);
    char *text = size > 0 ? malloc((size_t)size) : NULL;
    if (text != NULL && WideCharToMultiByte(CP_UTF8, 0, wide, -1, text, size, NULL, NULL) != size) {
        free(text);
        return NULL;
    }
    return text;
}

/* The executable's full path (what sys.executable and the embedded tree's paths start with). */
static wchar_t executable_wide[32768]; /* the longest path Windows has */

static char *executable_path(void) {
    DWORD size = GetModuleFileNameW(NULL, executable_wide, sizeof executable_wide / sizeof executable_wide[0]);
    return size > 0 && size < sizeof executable_wide / sizeof executable_wide[0] ? utf8(executable_wide) : NULL;
}

int wmain(int argc, wchar_t **wide_argv) {
    /* UTF-8 copies of the arguments for the messages that name the program. */
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    for (int i = 0; argv != NULL && i < argc; i++)
        if ((argv[i] = utf8(wide_argv[i])) == NULL) return 70;
    char *executable = executable_path();
    if (argv == NULL || executable == NULL) {
        fputs("the executable's path is unknown (GetModuleFileNameW)\n", stderr);
        return 70;
    }
    const char *error = NULL;
    if (pystatic_blob_open(pystatic_blob, pystatic_blob_end, &error) < 0) {
        fprintf(stderr, "%s: the embedded resource blob is unusable: %s\n", executable, error);
        return 70;
    }
    if (pystatic_settings.interpreter) return pystatic_interpreter_main(argc, argv, wide_argv, executable, executable_wide);
    return pystatic_run_app(argc, argv, wide_argv, executable, NULL);
}
