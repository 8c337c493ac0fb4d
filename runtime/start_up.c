/* Start-up of a py_static_binary, the same on every OS: the importer over the embedded blob goes
 * in between CPython's two init phases (docs/import-protocol.md):
 *   1. core: Py_InitializeFromConfig with _init_main = 0 (builtins, sys, frozen importlib only);
 *      run _pystatic_bootstrap from the blob, which puts its finder on sys.meta_path;
 *   2. main: _Py_InitializeMain imports encodings, io, ... through that finder.
 * sys.path = [the executable] (nothing is found below a regular file), no site, no environment
 * (unless enabled), nothing read from or written to disk. Each OS's main (main.c: Linux, with
 * py_static_interpreter's command line; main_windows.c) finds the executable and calls these. */
#include "pystatic_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void pystatic_die_status(PyStatus status) {
    if (PyStatus_IsExit(status)) exit(status.exitcode);
    Py_ExitStatusException(status);
}

/* sys.executable, and sys.prefix/exec_prefix (and their base_ twins) and sys._stdlib_dir = the
 * executable itself: the virtual tree is rooted there, so sysconfig's paths (<exe>/lib/python3.13,
 * <exe>/bin, ...) name nothing on disk and nothing can be installed into or found below them, and
 * frozen stdlib modules (os, abc, ...) get __file__ <exe>/os.py like the embedded ones. */
PyStatus pystatic_set_paths(PyConfig *config, const char *executable) {
    wchar_t **fields[] = {&config->executable, &config->prefix, &config->exec_prefix, &config->base_prefix,
                          &config->base_exec_prefix, &config->base_executable, &config->stdlib_dir};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        PyStatus status = PyConfig_SetBytesString(config, fields[i], executable);
        if (PyStatus_Exception(status)) return status;
    }
    return PyStatus_Ok();
}

/* Appends one entry (bytes, decoded like a file name) to sys.path's initial value. */
PyStatus pystatic_append_search_path(PyConfig *config, const char *path) {
    wchar_t *wide = Py_DecodeLocale(path, NULL);
    if (wide == NULL) return PyStatus_NoMemory();
    PyStatus status = PyWideStringList_Append(&config->module_search_paths, wide);
    PyMem_RawFree(wide);
    return status;
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

/* Between the two init phases: the importer, then the main phase (which imports through it), then
 * the magic check. Returns the _pystatic_bootstrap module, or NULL with *exit_code set. */
PyObject *pystatic_finish_start_up(const char *executable, const char *program, int *exit_code) {
    PyObject *bootstrap = install_importer(executable);
    if (bootstrap == NULL) {
        PyErr_Print();
        *exit_code = 70;
        return NULL;
    }
    PyStatus status = _Py_InitializeMain();
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    if (!pystatic_blob_bytecode_matches()) {
        PyErr_Clear();
        fprintf(stderr, "%s: the embedded bytecode was compiled for another Python version\n", program);
        Py_DECREF(bootstrap);
        *exit_code = 70;
        return NULL;
    }
    return bootstrap;
}

int pystatic_append_inittab(void) {
    if (PyImport_AppendInittab("_pystatic", PyInit__pystatic) < 0) return -1;
    for (const struct _inittab *ext = pystatic_extra_inittab; ext->name != NULL; ext++)
        if (PyImport_AppendInittab(ext->name, ext->initfunc) < 0) return -1;
    return 0;
}

int pystatic_run_app(int argc, char **argv, wchar_t **wide_argv, char *executable,
                     void (*start_loader)(int argc, char **argv, const char *executable)) {
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.allocator = pystatic_settings.allocator;
    preconfig.utf8_mode = pystatic_settings.utf8_mode;
    preconfig.use_environment = pystatic_settings.use_environment;
    PyStatus status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    if (pystatic_append_inittab() < 0) return 70;
    if (start_loader != NULL) start_loader(argc, argv, executable);
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
    config.module_search_paths_set = 1; /* [executable]: nothing is found below a regular file */
    config._init_main = 0;
    /* Windows: the wide command line as it came (no code page in between). */
    status = wide_argv ? PyConfig_SetArgv(&config, argc, wide_argv) : PyConfig_SetBytesArgv(&config, argc, argv);
    if (!PyStatus_Exception(status)) status = pystatic_set_paths(&config, executable);
    if (!PyStatus_Exception(status) && argc > 0)
        status = wide_argv ? PyConfig_SetString(&config, &config.program_name, wide_argv[0])
                           : PyConfig_SetBytesString(&config, &config.program_name, argv[0]);
    if (!PyStatus_Exception(status)) status = pystatic_append_search_path(&config, executable);
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) pystatic_die_status(status);

    int exit_code = 1;
    PyObject *bootstrap = pystatic_finish_start_up(executable, argc > 0 ? argv[0] : "python", &exit_code);
    free(executable);
    if (bootstrap == NULL) return exit_code;

    /* main() handles SystemExit, KeyboardInterrupt (130) and tracebacks; returns the exit code. */
    PyObject *result = PyObject_CallMethod(bootstrap, "main", "ss", pystatic_settings.entry_module,
                                           pystatic_settings.entry_function);
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

static int nonempty_env(const char *name) {
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0';
}

/* Whether python3's command line or environment picks the allocator (PYTHONMALLOC, -X dev,
 * PYTHONDEVMODE; -E / -I turn the variables off): CPython then decides, as python3 does. A preset
 * PyPreConfig.allocator would override all three, so an interpreter (main.c, interpreter_windows.c)
 * reads them first, with python3's short options (c, m, W, X take an argument; -c and -m end the options). */
int pystatic_allocator_requested(int argc, char **argv) {
    int ignore_env = 0, dev_mode = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0) break; /* script, stdin */
        if (arg[1] == '-') {                                                  /* long option */
            if (strcmp(arg, "--check-hash-based-pycs") == 0) i++;
            continue;
        }
        for (const char *opt = arg + 1; *opt; opt++) {
            if (*opt == 'c' || *opt == 'm') goto done;
            if (*opt == 'E' || *opt == 'I') ignore_env = 1;
            if (*opt == 'W' || *opt == 'X') {
                const char *value = opt[1] ? opt + 1 : (i + 1 < argc ? argv[++i] : "");
                if (*opt == 'X' && (strcmp(value, "dev") == 0 || strncmp(value, "dev=", 4) == 0)) dev_mode = 1;
                break;
            }
        }
    }
done:
    return dev_mode || (!ignore_env && (nonempty_env("PYTHONMALLOC") || nonempty_env("PYTHONDEVMODE")));
}

/* py_static_interpreter, once its config is read (main.c, interpreter_windows.c): initialise, the
 * importer, then the command line (Py_RunMain: -c, -m, a script, the REPL) and finalisation. */
int pystatic_run_interpreter(PyConfig *config, const char *executable, const char *program) {
    PyStatus status = Py_InitializeFromConfig(config);
    PyConfig_Clear(config);
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    int exit_code = 0;
    PyObject *bootstrap = pystatic_finish_start_up(executable, program, &exit_code);
    if (bootstrap == NULL) return exit_code;
    Py_DECREF(bootstrap);
    /* Not frozen: multiprocessing's spawn then runs `<executable> [flags] -c ...` like python3's. */
    if (PySys_SetObject("frozen", NULL) < 0) PyErr_Clear();
    return Py_RunMain(); /* runs the command line, finalises */
}
