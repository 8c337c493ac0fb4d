/* main() of every py_static_binary: configure an isolated CPython, install the importer over the
 * embedded resource blob before the standard library's first import, run the entry point.
 *
 * Start-up in two phases (docs/import-protocol.md):
 *   1. core: Py_InitializeFromConfig with _init_main = 0 (builtins, sys, frozen importlib only);
 *      run _pystatic_bootstrap from the blob, which puts its finder on sys.meta_path;
 *   2. main: _Py_InitializeMain imports encodings, io, ... through that finder.
 * No search path, no site, no environment (unless enabled), nothing read from or written to disk. */
#include "pystatic_runtime.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die_status(PyStatus status) {
    if (PyStatus_IsExit(status)) exit(status.exitcode);
    Py_ExitStatusException(status);
}

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

/* Runs _pystatic_bootstrap's code from the blob as a module and calls install(executable). */
static PyObject *install_importer(const char *executable) {
    PyObject *code = pystatic_get_code("_pystatic_bootstrap");
    if (code == NULL) return NULL;
    PyObject *module = PyImport_AddModule("_pystatic_bootstrap"); /* borrowed; kept in sys.modules */
    if (module == NULL) {
        Py_DECREF(code);
        return NULL;
    }
    PyObject *globals = PyModule_GetDict(module);
    if (PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0) {
        Py_DECREF(code);
        return NULL;
    }
    PyObject *result = PyEval_EvalCode(code, globals, globals);
    Py_DECREF(code);
    if (result == NULL) return NULL;
    Py_DECREF(result);
    result = PyObject_CallMethod(module, "install", "s", executable);
    if (result == NULL) return NULL;
    Py_DECREF(result);
    return Py_NewRef(module);
}

int main(int argc, char **argv) {
    const char *error = NULL;
    if (pystatic_blob_open(pystatic_blob, pystatic_blob_end, &error) < 0) {
        fprintf(stderr, "%s: the embedded resource blob is unusable: %s\n", argv[0], error);
        return 70;
    }

    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.allocator = pystatic_settings.allocator;
    preconfig.utf8_mode = pystatic_settings.utf8_mode;
    preconfig.use_environment = pystatic_settings.use_environment;
    PyStatus status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) die_status(status);

    if (PyImport_AppendInittab("_pystatic", PyInit__pystatic) < 0) return 70;
    for (const struct _inittab *ext = pystatic_extra_inittab; ext->name != NULL; ext++)
        if (PyImport_AppendInittab(ext->name, ext->initfunc) < 0) return 70;

    char *executable = executable_path(argc > 0 ? argv[0] : "python");
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.parse_argv = 0;
    config.use_environment = pystatic_settings.use_environment;
    config.optimization_level = pystatic_settings.optimize;
    config.buffered_stdio = pystatic_settings.buffered_stdio;
    config.install_signal_handlers = 1;
    config.site_import = 0;
    config.user_site_directory = 0;
    config.write_bytecode = 0;
    config.pathconfig_warnings = 0;
    config.module_search_paths_set = 1; /* and empty: nothing is searched on disk */
    config._init_main = 0;
    status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (!PyStatus_Exception(status)) status = PyConfig_SetBytesString(&config, &config.executable, executable);
    if (!PyStatus_Exception(status) && argc > 0)
        status = PyConfig_SetBytesString(&config, &config.program_name, argv[0]);
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) die_status(status);

    PyObject *bootstrap = install_importer(executable);
    free(executable);
    if (bootstrap == NULL) {
        PyErr_Print();
        return 70;
    }
    status = _Py_InitializeMain();
    if (PyStatus_Exception(status)) die_status(status);
    if (!pystatic_blob_bytecode_matches()) {
        PyErr_Clear();
        fprintf(stderr, "%s: the embedded bytecode was compiled for another Python version\n", argv[0]);
        return 70;
    }

    /* main() handles SystemExit, KeyboardInterrupt (130) and tracebacks; returns the exit code. */
    int exit_code = 1;
    PyObject *result = PyObject_CallMethod(bootstrap, "main", "s", pystatic_settings.entry_point);
    Py_DECREF(bootstrap);
    if (result == NULL) {
        PyErr_Print();
    } else {
        exit_code = (int)PyLong_AsLong(result);
        Py_DECREF(result);
        if (PyErr_Occurred()) {
            PyErr_Print();
            exit_code = 1;
        }
    }
    if (Py_FinalizeEx() < 0) exit_code = 120; /* as python3 does when flushing stdout fails */
    return exit_code;
}
