/* py_static_interpreter for Windows (docs/windows.md): CPython parses python.exe's command line (-c,
 * -m, a script, -, the REPL, flags, PYTHON* variables) from the wide argv and Py_RunMain runs it,
 * with the importer between the two init phases as for any binary (start_up.c). sys.path =
 * [the executable, PYTHONPATH (';'-separated, made absolute)..., <its directory>\Lib if that exists];
 * Py_RunMain puts the script's directory (or '' / the cwd) first unless -P / -I. Not here (Linux's
 * main.c has them): virtual environments (pyvenv.cfg) and the loader of embedded shared objects. */
#include "pystatic_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>

/* Appends a wide path to sys.path's initial value, made absolute as python3's getpath does. */
static PyStatus append_absolute(PyConfig *config, const wchar_t *entry) {
    wchar_t *absolute = _wfullpath(NULL, entry[0] ? entry : L".", 0);
    if (absolute == NULL) return PyWideStringList_Append(&config->module_search_paths, entry);
    PyStatus status = PyWideStringList_Append(&config->module_search_paths, absolute);
    free(absolute);
    return status;
}

/* PYTHONPATH's entries (Windows' separator: ';'). Raw memory: before initialisation PyMem_Malloc
 * (mimalloc) has no thread state to allocate from. */
static PyStatus append_pythonpath(PyConfig *config, const wchar_t *pythonpath) {
    if (pythonpath == NULL) return PyStatus_Ok(); /* unset, or -E / -I */
    wchar_t *value = PyMem_RawMalloc((wcslen(pythonpath) + 1) * sizeof(wchar_t));
    if (value == NULL) return PyStatus_NoMemory();
    wcscpy(value, pythonpath);
    PyStatus status = PyStatus_Ok();
    for (wchar_t *entry = value, *next; entry != NULL && !PyStatus_Exception(status); entry = next) {
        wchar_t *separator = wcschr(entry, L';');
        next = separator ? separator + 1 : NULL;
        if (separator) *separator = L'\0';
        status = append_absolute(config, entry);
    }
    PyMem_RawFree(value);
    return status;
}

/* <the executable's directory>\Lib when it exists (python.exe's layout: getpath's landmark
 * Lib\os.py): a stdlib directory searched after the embedded modules, for what the binary leaves
 * out (e.g. CPython's Lib\test). Kept under -I and -E, as python.exe keeps its stdlib directory. */
static PyStatus append_disk_stdlib(PyConfig *config, const wchar_t *executable) {
    const wchar_t *slash = wcsrchr(executable, L'\\');
    if (slash == NULL) return PyStatus_Ok();
    size_t size = (size_t)(slash - executable);
    wchar_t *lib = PyMem_RawMalloc((size + 5) * sizeof(wchar_t));
    if (lib == NULL) return PyStatus_NoMemory();
    wmemcpy(lib, executable, size);
    wcscpy(lib + size, L"\\Lib");
    DWORD attributes = GetFileAttributesW(lib);
    PyStatus status = PyStatus_Ok();
    if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY))
        status = PyWideStringList_Append(&config->module_search_paths, lib);
    PyMem_RawFree(lib);
    return status;
}

/* python.exe's config (parse_argv, environment) with the binary's paths; sys.path filled by the caller. */
static PyStatus interpreter_config(PyConfig *config, int argc, wchar_t **wide_argv, const char *executable) {
    PyConfig_InitPythonConfig(config);
    config->pathconfig_warnings = 0;
    config->module_search_paths_set = 1;
    config->_init_main = 0;
    PyStatus status = PyConfig_SetArgv(config, argc, wide_argv);
    if (!PyStatus_Exception(status)) status = pystatic_set_paths(config, executable);
    if (!PyStatus_Exception(status) && argc > 0) status = PyConfig_SetString(config, &config->program_name, wide_argv[0]);
    return status;
}

int pystatic_interpreter_main(int argc, char **argv, wchar_t **wide_argv, char *executable,
                              const wchar_t *wide_executable) {
    PyPreConfig preconfig;
    PyPreConfig_InitPythonConfig(&preconfig);
    /* The binary's allocator, unless the command line or the environment asks for one (main.c). */
    if (pystatic_settings.allocator != PYMEM_ALLOCATOR_MIMALLOC || !pystatic_allocator_requested(argc, argv))
        preconfig.allocator = pystatic_settings.allocator;
    PyStatus status = Py_PreInitializeFromArgs(&preconfig, argc, wide_argv);
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    if (pystatic_append_inittab() < 0) return 70;
    /* A throw-away read for PYTHONPATH (or -E/-I) and -h / -V, as main.c does. */
    PyConfig probe;
    status = interpreter_config(&probe, argc, wide_argv, executable);
    if (!PyStatus_Exception(status)) status = PyConfig_Read(&probe);
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    PyConfig config;
    status = interpreter_config(&config, argc, wide_argv, executable);
    if (!PyStatus_Exception(status)) status = PyWideStringList_Append(&config.module_search_paths, wide_executable);
    if (!PyStatus_Exception(status)) status = append_pythonpath(&config, probe.pythonpath_env);
    if (!PyStatus_Exception(status)) status = append_disk_stdlib(&config, wide_executable);
    PyConfig_Clear(&probe);
    if (PyStatus_Exception(status)) pystatic_die_status(status);
    return pystatic_run_interpreter(&config, executable, argc > 0 ? argv[0] : "python");
}
