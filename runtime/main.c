/* main() of every py_static_binary for Linux: the blob checked, then the start-up of start_up.c
 * (the importer between CPython's two init phases), with the executable's path from /proc/self/exe
 * and the loader of embedded shared objects started first. py_static_interpreter instead lets
 * CPython parse a python3 command line (interpreter_main). main_windows.c is Windows' main. */
#include "pystatic_runtime.h"
#include "native_loader.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

extern char **environ;

/* Absolute path of this executable: /proc/self/exe, else argv[0] (possibly found on PATH): an
 * empty root has no /proc. */
static char *executable_path(const char *argv0) {
    char buffer[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n > 0) {
        buffer[n] = '\0';
        return strdup(buffer);
    }
    if (strchr(argv0, '/') != NULL) {
        char *resolved = realpath(argv0, NULL);
        return resolved ? resolved : strdup(argv0);
    }
    const char *path = getenv("PATH");
    while (path != NULL && *path) {
        const char *colon = strchr(path, ':');
        size_t dir_size = colon ? (size_t)(colon - path) : strlen(path);
        if (dir_size > 0 && dir_size + strlen(argv0) + 2 < sizeof buffer) {
            memcpy(buffer, path, dir_size);
            buffer[dir_size] = '/';
            strcpy(buffer + dir_size + 1, argv0);
            if (access(buffer, X_OK) == 0) {
                char *resolved = realpath(buffer, NULL);
                return resolved ? resolved : strdup(buffer);
            }
        }
        path = colon ? colon + 1 : NULL;
    }
    return strdup(argv0);
}

/* The loader of embedded shared objects (native_loader.c, native_images.c): before Python starts,
 * so extension modules' initialisers get the process's (argc, argv, envp) as from ld.so. */
static void start_native_loader(int argc, char **argv, const char *executable) {
    pystatic_native_images_init(executable);
    pystatic_loader_init(argc, argv, environ, executable);
}

/* PYTHONPATH entries, made absolute as python3's getpath does (abspath), appended to the search
 * path. Wide strings and raw memory throughout: before initialisation PyMem_Malloc (mimalloc in
 * 3.13) has no thread state to allocate from. */
static PyStatus append_pythonpath(PyConfig *config, const wchar_t *pythonpath) {
    if (pythonpath == NULL) return PyStatus_Ok(); /* unset, or -E / -I */
    char cwd_bytes[PATH_MAX];
    wchar_t *cwd = Py_DecodeLocale(getcwd(cwd_bytes, sizeof cwd_bytes) ? cwd_bytes : "", NULL);
    size_t value_size = wcslen(pythonpath) + 1;
    wchar_t *value = PyMem_RawMalloc(value_size * sizeof(wchar_t));
    wchar_t *absolute = cwd ? PyMem_RawMalloc((wcslen(cwd) + value_size + 1) * sizeof(wchar_t)) : NULL;
    PyStatus status = PyStatus_Ok();
    if (value == NULL || absolute == NULL) {
        status = PyStatus_NoMemory();
    } else {
        wcscpy(value, pythonpath);
        for (wchar_t *entry = value, *next; entry != NULL && !PyStatus_Exception(status); entry = next) {
            wchar_t *colon = wcschr(entry, L':');
            next = colon ? colon + 1 : NULL;
            if (colon) *colon = L'\0';
            if (entry[0] == L'/') {
                status = PyWideStringList_Append(&config->module_search_paths, entry);
            } else {
                wcscpy(absolute, cwd);
                if (entry[0]) {
                    wcscat(absolute, L"/");
                    wcscat(absolute, entry);
                }
                status = PyWideStringList_Append(&config->module_search_paths, absolute);
            }
        }
    }
    PyMem_RawFree(absolute);
    PyMem_RawFree(value);
    PyMem_RawFree(cwd);
    return status;
}

/* <dir>/lib/python3.X, <dir> the parent of the executable's directory (<dir>/bin/<name>), when that
 * directory exists: python3's stdlib directory, searched after the embedded modules, for what the
 * binary leaves out (e.g. CPython's Lib/test). Kept under -I and -E, as python3 keeps its stdlib
 * directories. */
static PyStatus append_disk_stdlib(PyConfig *config, const char *executable) {
    char path[PATH_MAX];
    const char *slash = strrchr(executable, '/');
    if (slash == NULL) return PyStatus_Ok();
    size_t bin_size = (size_t)(slash - executable);
    if (bin_size + 32 >= sizeof path) return PyStatus_Ok();
    memcpy(path, executable, bin_size);
    path[bin_size] = '\0';
    char *parent = strrchr(path, '/');
    if (parent == NULL) return PyStatus_Ok();
#ifdef Py_GIL_DISABLED
    const char *abiflags = "t"; /* a free-threaded build's stdlib directory: lib/python3.13t */
#else
    const char *abiflags = "";
#endif
    snprintf(parent, sizeof path - (size_t)(parent - path), "/lib/python%d.%d%s", PY_MAJOR_VERSION, PY_MINOR_VERSION,
             abiflags);
    struct stat info;
    if (stat(path, &info) != 0 || !S_ISDIR(info.st_mode)) return PyStatus_Ok();
    return pystatic_append_search_path(config, path);
}

/* python3's config (parse_argv, environment) with our paths (in a virtual environment, venv_paths.c's);
 * sys.path filled by the caller. */
static PyStatus interpreter_config(PyConfig *config, int argc, char **argv, const char *executable) {
    PyConfig_InitPythonConfig(config);
    config->pathconfig_warnings = 0;
    config->module_search_paths_set = 1;
    config->_init_main = 0;
    PyStatus status = PyConfig_SetBytesArgv(config, argc, argv);
    if (!PyStatus_Exception(status)) status = pystatic_set_paths(config, executable);
    if (!PyStatus_Exception(status) && argc > 0) status = PyConfig_SetBytesString(config, &config->program_name, argv[0]);
    if (!PyStatus_Exception(status) && argc > 0) status = pystatic_venv_paths(config, argv[0]);
    return status;
}

/* py_static_interpreter: CPython parses its own command line (python3's -c, -m, script, -, REPL,
 * flags, PYTHON* variables) and Py_RunMain runs it; the importer goes in between the two init
 * phases as for any binary. sys.path = [executable, PYTHONPATH..., <dir>/lib/python3.X if the
 * executable is <dir>/bin/<name>]; Py_RunMain puts the script's directory (or '' / the cwd) first
 * unless -P / -I. */
static int interpreter_main(int argc, char **argv) {
    PyPreConfig preconfig;
    PyPreConfig_InitPythonConfig(&preconfig);
    /* The binary's allocator (mimalloc by default, where a GIL build of python3 has pymalloc over
     * musl's slow malloc), unless the command line or the environment asks for one. */
    if (pystatic_settings.allocator != PYMEM_ALLOCATOR_MIMALLOC || !pystatic_allocator_requested(argc, argv))
        preconfig.allocator = pystatic_settings.allocator;
    PyStatus status = Py_PreInitializeFromBytesArgs(&preconfig, argc, argv);
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    if (pystatic_append_inittab() < 0) return 70;

    char *executable = executable_path(argc > 0 ? argv[0] : "python");
    start_native_loader(argc, argv, executable);
    /* A first, throw-away read parses the command line and environment for PYTHONPATH (or -E/-I)
     * and exits for -h / -V. Not the real config: read twice, 3.13 forgets -X warn_default_encoding
     * (kept only in the command line's pre-parse, which the second read no longer sees). */
    PyConfig probe;
    status = interpreter_config(&probe, argc, argv, executable);
    if (!PyStatus_Exception(status)) status = PyConfig_Read(&probe);
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    PyConfig config;
    status = interpreter_config(&config, argc, argv, executable);
    if (!PyStatus_Exception(status)) status = pystatic_append_search_path(&config, executable);
    if (!PyStatus_Exception(status)) status = append_pythonpath(&config, probe.pythonpath_env);
    if (!PyStatus_Exception(status)) status = append_disk_stdlib(&config, executable);
    PyConfig_Clear(&probe);
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    int exit_code = pystatic_run_interpreter(&config, executable, argc > 0 ? argv[0] : "python");
    free(executable);
    return exit_code;
}

int main(int argc, char **argv) {
    const char *error = NULL;
    if (pystatic_blob_open(pystatic_blob, pystatic_blob_end, &error) < 0) {
        fprintf(stderr, "%s: the embedded resource blob is unusable: %s\n", argv[0], error);
        return 70;
    }
    if (pystatic_settings.interpreter) return interpreter_main(argc, argv);
    return pystatic_run_app(argc, argv, NULL, executable_path(argc > 0 ? argv[0] : "python"), start_native_loader);
}
