/* The built-in module `_pystatic`: the resource blob (blob.c) as the importer
 * (runtime/_pystatic_bootstrap.py), the file view and importlib.resources see it. */
#include "blob_internal.h"

static PyObject *to_bytes(const char *data, Py_ssize_t size, void *unused) {
    (void)unused;
    return PyBytes_FromStringAndSize(data, size);
}

/* _pystatic.find_module(name) -> entry flags, or -1 if the blob has no such module. */
static PyObject *py_find_module(PyObject *self, PyObject *name) {
    (void)self;
    if (!PyUnicode_Check(name)) return PyErr_Format(PyExc_TypeError, "module name must be str");
    const blob_record *r = pystatic_blob_find(KIND_MODULE, name);
    if (r == NULL && PyErr_Occurred()) return NULL;
    return PyLong_FromLong(r == NULL ? -1 : r->flags);
}

static PyObject *py_get_code(PyObject *self, PyObject *name) {
    (void)self;
    const char *utf8 = PyUnicode_AsUTF8(name);
    return utf8 == NULL ? NULL : pystatic_get_code(utf8);
}

/* _pystatic.get_source(name) -> bytes, or None if the module was packed without its source. */
static PyObject *py_get_source(PyObject *self, PyObject *name) {
    (void)self;
    const blob_record *r = pystatic_blob_find(KIND_MODULE, name);
    if (r == NULL) {
        if (!PyErr_Occurred()) PyErr_Format(PyExc_ImportError, "no module named %R in this executable", name);
        return NULL;
    }
    if (!(r->flags & FLAG_HAS_SOURCE)) Py_RETURN_NONE;
    return pystatic_blob_with_payload(r, 1, to_bytes, NULL);
}

static const blob_record *find_file(PyObject *args, int *kind_out, PyObject **key_out) {
    int kind;
    PyObject *key;
    if (!PyArg_ParseTuple(args, "iU", &kind, &key)) return NULL;
    const blob_record *r = pystatic_blob_find(kind, key);
    if (r == NULL && !PyErr_Occurred()) PyErr_Format(PyExc_FileNotFoundError, "no resource %R in this executable", key);
    *kind_out = kind;
    *key_out = key;
    return r;
}

/* _pystatic.read(kind, key) -> bytes of a data or metadata file; FileNotFoundError if absent. */
static PyObject *py_read(PyObject *self, PyObject *args) {
    (void)self;
    int kind;
    PyObject *key;
    const blob_record *r = find_file(args, &kind, &key);
    if (r == NULL) return NULL;
    return pystatic_blob_with_payload(r, 0, to_bytes, NULL);
}

/* _pystatic.view(kind, key) -> read-only memoryview over the executable's own bytes (no copy);
 * bytes when the entry is compressed. */
static PyObject *py_view(PyObject *self, PyObject *args) {
    (void)self;
    int kind;
    PyObject *key;
    const blob_record *r = find_file(args, &kind, &key);
    if (r == NULL) return NULL;
    if (r->flags & FLAG_PRIMARY_ZSTD) return pystatic_blob_with_payload(r, 0, to_bytes, NULL);
    return PyMemoryView_FromMemory((char *)pystatic_blob_payload(r, 0), r->primary.stored, PyBUF_READ);
}

/* _pystatic.names(kind, prefix) -> sorted names of `kind` that start with `prefix`. */
static PyObject *py_names(PyObject *self, PyObject *args) {
    (void)self;
    int kind;
    const char *prefix;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "is#", &kind, &prefix, &size)) return NULL;
    PyObject *result = PyList_New(0);
    if (result == NULL) return NULL;
    size_t n = (size_t)size;
    for (uint32_t i = pystatic_blob_lower_bound(kind, prefix, n); pystatic_blob_has_prefix(i, kind, prefix, n); i++) {
        int record_kind, flags;
        const char *utf8;
        size_t utf8_size;
        pystatic_blob_record(i, &record_kind, &flags, &utf8, &utf8_size);
        PyObject *name = PyUnicode_DecodeUTF8(utf8, (Py_ssize_t)utf8_size, "strict");
        if (name == NULL || PyList_Append(result, name) < 0) {
            Py_XDECREF(name);
            Py_DECREF(result);
            return NULL;
        }
        Py_DECREF(name);
    }
    return result;
}

/* _pystatic.entry(kind, name) -> (index, flags, size, source size) of an entry, or None. */
static PyObject *py_entry(PyObject *self, PyObject *args) {
    (void)self;
    int kind;
    PyObject *name;
    if (!PyArg_ParseTuple(args, "iU", &kind, &name)) return NULL;
    const blob_record *r = pystatic_blob_find(kind, name);
    if (r == NULL) {
        if (PyErr_Occurred()) return NULL;
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(nIII)", (Py_ssize_t)pystatic_blob_index_of(r), (unsigned)r->flags,
                         (r->flags & FLAG_HAS_PRIMARY) ? r->primary.size : 0u,
                         (r->flags & FLAG_HAS_SOURCE) ? r->source.size : 0u);
}

/* _pystatic.has_prefix(kind, prefix) -> whether some name of `kind` starts with `prefix`. */
static PyObject *py_has_prefix(PyObject *self, PyObject *args) {
    (void)self;
    int kind;
    const char *prefix;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "is#", &kind, &prefix, &size)) return NULL;
    return PyBool_FromLong(pystatic_blob_has_prefix(pystatic_blob_lower_bound(kind, prefix, (size_t)size), kind, prefix, (size_t)size));
}

/* importlib's functions that exec_module calls, looked up once (the first import). */
static PyObject *fix_co_filename, *call_with_frames_removed, *builtin_exec;

static int exec_module_helpers(void) {
    if (call_with_frames_removed != NULL) return 0;
    PyObject *imp = PyImport_ImportModule("_imp"), *importlib = PyImport_ImportModule("_frozen_importlib");
    if (imp != NULL && importlib != NULL) {
        fix_co_filename = PyObject_GetAttrString(imp, "_fix_co_filename");
        builtin_exec = Py_XNewRef(PyDict_GetItemString(PyEval_GetBuiltins(), "exec")); /* borrowed */
        if (builtin_exec == NULL && !PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "builtins.exec is missing");
        call_with_frames_removed = PyObject_GetAttrString(importlib, "_call_with_frames_removed");
    }
    Py_XDECREF(imp);
    Py_XDECREF(importlib);
    if (fix_co_filename != NULL && builtin_exec != NULL && call_with_frames_removed != NULL) return 0;
    Py_CLEAR(fix_co_filename);
    Py_CLEAR(builtin_exec);
    Py_CLEAR(call_with_frames_removed);
    return -1;
}

/* _pystatic.exec_module(module): the loader's exec_module, in C so that no frame of the importer
 * shows in tracebacks; importlib's _call_with_frames_removed marks the import chain for removal,
 * as with importlib's own loaders. */
static PyObject *py_exec_module(PyObject *self, PyObject *module) {
    (void)self;
    PyObject *spec = NULL, *name = NULL, *origin = NULL, *code = NULL, *fixed = NULL, *result = NULL;
    const char *utf8;
    if (exec_module_helpers() < 0) return NULL;
    if ((spec = PyObject_GetAttrString(module, "__spec__")) == NULL) goto done;
    /* The embedded module's name: the spec's loader_state, which differs from the name it is
     * imported as when a directory of the tree was searched as a path entry (_pystatic_paths). */
    if ((name = PyObject_GetAttrString(spec, "loader_state")) == NULL) goto done;
    if (!PyUnicode_Check(name)) {
        Py_SETREF(name, PyObject_GetAttrString(spec, "name"));
        if (name == NULL) goto done;
    }
    if ((origin = PyObject_GetAttrString(spec, "origin")) == NULL) goto done;
    if ((utf8 = PyUnicode_AsUTF8(name)) == NULL) goto done;
    if ((code = pystatic_get_code(utf8)) == NULL) goto done;
    /* Code objects name the file as compiled at build time; tracebacks should see the virtual path. */
    if ((fixed = PyObject_CallFunctionObjArgs(fix_co_filename, code, origin, NULL)) == NULL) goto done;
    result = PyObject_CallFunctionObjArgs(call_with_frames_removed, builtin_exec, code, PyModule_GetDict(module), NULL);
    pystatic_gc_promote(); /* gc_promote.c: what the import made, to the oldest generation */
done:
    Py_XDECREF(spec);
    Py_XDECREF(name);
    Py_XDECREF(origin);
    Py_XDECREF(code);
    Py_XDECREF(fixed);
    return result;
}

static PyMethodDef methods[] = {
    {"exec_module", py_exec_module, METH_O, "exec_module(module): runs the module's embedded code in it"},
    {"find_module", py_find_module, METH_O, "find_module(name) -> entry flags, or -1"},
    {"get_code", py_get_code, METH_O, "get_code(name) -> code object"},
    {"get_source", py_get_source, METH_O, "get_source(name) -> bytes or None"},
    {"read", py_read, METH_VARARGS, "read(kind, key) -> bytes"},
    {"view", py_view, METH_VARARGS, "view(kind, key) -> memoryview (zero-copy) or bytes"},
    {"names", py_names, METH_VARARGS, "names(kind, prefix) -> [str]"},
    {"entry", py_entry, METH_VARARGS, "entry(kind, name) -> (index, flags, size, source size) or None"},
    {"has_prefix", py_has_prefix, METH_VARARGS, "pystatic_blob_has_prefix(kind, prefix) -> bool"},
    {NULL, NULL, 0, NULL},
};

/* musl's version string (src/internal/version.c, hidden but reachable in a static link): the
 * truthful answer to packaging's "which musl is this" (musllinux tags, _pystatic_bootstrap.py).
 * Windows has no musl: "" leaves packaging's answer alone (_pystatic_musllinux.py). */
#ifdef _WIN32
#define LIBC_VERSION ""
#else
extern const char __libc_version[];
#define LIBC_VERSION __libc_version
#endif

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_pystatic",
    "The resource blob linked into this executable (rules_pystatic).", -1, methods,
};

PyObject *PyInit__pystatic(void) {
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
#ifdef Py_GIL_DISABLED
    /* Safe without the GIL (the blob is read-only; the verified-once table is idempotent bytes):
     * a free-threaded interpreter would otherwise enable the GIL when it imports this module. */
    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    if (PyModule_AddIntConstant(m, "MODULE", KIND_MODULE) < 0 || PyModule_AddIntConstant(m, "DATA", KIND_DATA) < 0 ||
        PyModule_AddIntConstant(m, "METADATA", KIND_METADATA) < 0 ||
        PyModule_AddIntConstant(m, "PACKAGE", FLAG_PACKAGE) < 0 ||
        PyModule_AddIntConstant(m, "HAS_SOURCE", FLAG_HAS_SOURCE) < 0 ||
        PyModule_AddStringConstant(m, "blob_sha256", pystatic_blob_sha256) < 0 ||
        PyModule_AddStringConstant(m, "extract_packages", pystatic_settings.extract_packages) < 0 ||
        PyModule_AddStringConstant(m, "left_out_builtins", pystatic_settings.left_out_builtins) < 0 ||
        PyModule_AddStringConstant(m, "left_out_modules", pystatic_settings.left_out_modules) < 0 ||
        PyModule_AddStringConstant(m, "libc_version", LIBC_VERSION) < 0 ||
        PyModule_AddIntConstant(m, "file_view", pystatic_settings.file_view) < 0 || pystatic_add_file_view(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
