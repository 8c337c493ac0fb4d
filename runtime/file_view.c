/* The read-only file view of the embedded tree, C half: `_pystatic.PathHook`, a callable that
 * stands in for a file API (`_io.open`, `posix.stat`, `posix.listdir`, ...) and sends calls whose
 * path lies below the executable to a handler in `_pystatic_files` (docs/import-protocol.md,
 * "Files inside the binary"). For the spawns (`fork_exec`, `execv`, ...) a list or tuple argument
 * (argv) is looked into: the handler then runs the program with copies of the tree's files.
 *
 * Cost for ordinary disk I/O: one prefix comparison per checked argument, then a vectorcall of
 * the original function. Paths that reach the embedded tree in another form (relative, through a
 * symlink to the executable, `..`) fail in the original call with ENOTDIR (nothing exists below
 * a regular file): only then is the handler asked to resolve them. The handler module is
 * imported on first use, so start-up pays nothing but the creation of the hooks. */
#include "blob_internal.h"

#include <string.h>

static PyObject *root_str;   /* sys.executable + "/" */
static PyObject *root_bytes; /* the same, os.fsencode()d */
#ifdef _WIN32
static PyObject *root_alt; /* sys.executable + "\\" (ntpath.join's separator; str paths only) */
#endif
static PyObject *handlers;   /* the module _pystatic_files, once imported */

typedef struct {
    PyObject_HEAD
    PyObject *original;
    PyObject *handler_name;
    PyObject *handler; /* resolved on first use */
    unsigned path_args; /* bit i set: positional argument i is a path to check */
    int fast;           /* FAST_STAT or FAST_LISTDIR: served in C (tree_stat.c) when it can */
    vectorcallfunc vectorcall;
} PathHook;

/* 1 if `path` (str, bytes or os.PathLike) starts with the executable's directory form, 0 if not,
 * -1 with an exception set. */
static int below_root_one(PyObject *path) {
    if (root_str == NULL) return 0;
#ifdef _WIN32
    if (PyUnicode_Check(path) && PyUnicode_Tailmatch(path, root_alt, 0, PY_SSIZE_T_MAX, -1)) return 1;
#endif
    if (PyUnicode_Check(path)) return (int)PyUnicode_Tailmatch(path, root_str, 0, PY_SSIZE_T_MAX, -1);
    if (PyBytes_Check(path)) {
        Py_ssize_t n = PyBytes_GET_SIZE(root_bytes);
        return PyBytes_GET_SIZE(path) >= n && memcmp(PyBytes_AS_STRING(path), PyBytes_AS_STRING(root_bytes), n) == 0;
    }
    if (PyLong_Check(path) || path == Py_None) return 0; /* file descriptors, defaults */
    if (PyObject_HasAttrString((PyObject *)Py_TYPE(path), "__fspath__")) {
        PyObject *fs = PyOS_FSPath(path);
        if (fs == NULL) {
            PyErr_Clear(); /* let the original function report it */
            return 0;
        }
        int below = below_root_one(fs);
        Py_DECREF(fs);
        return below;
    }
    return 0;
}

/* Whether `path` (str or bytes) is the executable itself: the root without its separator. */
static int is_executable(PyObject *path) {
    if (root_str == NULL) return 0;
    if (PyUnicode_Check(path)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(root_str) - 1;
        return PyUnicode_GET_LENGTH(path) == n && PyUnicode_Tailmatch(root_str, path, 0, n, -1) == 1;
    }
    if (PyBytes_Check(path)) {
        Py_ssize_t n = PyBytes_GET_SIZE(root_bytes) - 1;
        return PyBytes_GET_SIZE(path) == n && memcmp(PyBytes_AS_STRING(path), PyBytes_AS_STRING(root_bytes), n) == 0;
    }
    return 0;
}

/* below_root_one, or for a list or tuple (a spawn's argv, fork_exec's executable list) whether any
 * of its items is below the root or is the executable (a child that runs this executable as python3:
 * _pystatic_command_line.as_python3_child). */
static int below_root(PyObject *path) {
    if (!PyList_Check(path) && !PyTuple_Check(path)) return below_root_one(path);
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(path); i++) {
        PyObject *item = Py_NewRef(PySequence_Fast_GET_ITEM(path, i)); /* __fspath__ may change a list */
        int below = is_executable(item) ? 1 : below_root_one(item);
        Py_DECREF(item);
        if (below != 0) return below;
    }
    return 0;
}

static PyObject *handler(PathHook *hook) {
    if (hook->handler != NULL) return hook->handler;
    if (handlers == NULL && (handlers = PyImport_ImportModule("_pystatic_files")) == NULL) return NULL;
    hook->handler = PyObject_GetAttr(handlers, hook->handler_name);
    return hook->handler;
}

/* An error of the handler looks like one of the function it stands in for: raised by C code,
 * without the handler's frames in the traceback. */
static PyObject *without_handler_frames(PyObject *result) {
    if (result != NULL) return result;
    PyObject *error = PyErr_GetRaisedException();
    if (error != NULL) PyException_SetTraceback(error, Py_None);
    PyErr_SetRaisedException(error);
    return NULL;
}

enum { FAST_NONE, FAST_STAT, FAST_LISTDIR };

static PyObject *tree_children(PyObject *self, PyObject *arg);

/* The handler returns NotImplemented for a path it finds outside the embedded tree. */
static PyObject *hook_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    PathHook *hook = (PathHook *)self;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (hook->fast && nargs == 1 && (kwnames == NULL || PyTuple_GET_SIZE(kwnames) == 0) && PyUnicode_CheckExact(args[0])) {
        PyObject *result = pystatic_tree_fast(hook->fast == FAST_LISTDIR, args[0], tree_children);
        if (result != NULL || PyErr_Occurred()) return result;
    }
    int below = 0;
    for (Py_ssize_t i = 0; i < nargs && i < 8 && !below; i++) {
        if (!(hook->path_args & (1u << i))) continue;
        if ((below = below_root(args[i])) < 0) return NULL;
    }
    if (below) {
        PyObject *h = handler(hook);
        if (h == NULL) return NULL;
        PyObject *result = PyObject_Vectorcall(h, args, nargsf, kwnames);
        if (result != Py_NotImplemented) return without_handler_frames(result);
        Py_DECREF(result);
        return PyObject_Vectorcall(hook->original, args, nargsf, kwnames);
    }
    PyObject *result = PyObject_Vectorcall(hook->original, args, nargsf, kwnames);
    if (result != NULL || nargs == 0 || root_str == NULL || !PyErr_ExceptionMatches(PyExc_NotADirectoryError))
        return result;
    /* ENOTDIR: perhaps the embedded tree reached through a relative path or a symlink. */
    PyObject *error = PyErr_GetRaisedException();
    PyObject *h = handler(hook);
    if (h == NULL) {
        Py_DECREF(error);
        return NULL;
    }
    result = PyObject_Vectorcall(h, args, nargsf, kwnames);
    if (result == Py_NotImplemented) {
        Py_DECREF(result);
        PyErr_SetRaisedException(error);
        return NULL;
    }
    Py_DECREF(error);
    return without_handler_frames(result);
}

static PyObject *hook_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    PyObject *original, *name;
    unsigned int path_args = 1;
    static char *keywords[] = {"original", "handler", "path_args", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OU|I:PathHook", keywords, &original, &name, &path_args))
        return NULL;
    if (!PyCallable_Check(original)) return PyErr_Format(PyExc_TypeError, "PathHook: %R is not callable", original);
    PathHook *hook = (PathHook *)type->tp_alloc(type, 0);
    if (hook == NULL) return NULL;
    hook->original = Py_NewRef(original);
    hook->handler_name = Py_NewRef(name);
    hook->path_args = path_args;
    hook->fast = PyUnicode_CompareWithASCIIString(name, "stat") == 0 || PyUnicode_CompareWithASCIIString(name, "lstat") == 0
                     ? FAST_STAT
                     : PyUnicode_CompareWithASCIIString(name, "listdir") == 0 ? FAST_LISTDIR : FAST_NONE;
    hook->vectorcall = hook_vectorcall;
    return (PyObject *)hook;
}

static int hook_traverse(PyObject *self, visitproc visit, void *arg) {
    PathHook *hook = (PathHook *)self;
    Py_VISIT(hook->original);
    Py_VISIT(hook->handler);
    return 0;
}

static int hook_clear(PyObject *self) {
    PathHook *hook = (PathHook *)self;
    Py_CLEAR(hook->original);
    Py_CLEAR(hook->handler_name);
    Py_CLEAR(hook->handler);
    return 0;
}

static void hook_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    hook_clear(self);
    Py_TYPE(self)->tp_free(self);
}

/* Looks like the function it stands in for: repr, __name__, __doc__, ... come from the original;
 * `__wrapped__` is the original (inspect.signature follows it). */
static PyObject *hook_getattro(PyObject *self, PyObject *name) {
    PathHook *hook = (PathHook *)self;
    if (PyUnicode_Check(name)) {
        if (PyUnicode_CompareWithASCIIString(name, "__wrapped__") == 0) return Py_NewRef(hook->original);
        if (PyUnicode_CompareWithASCIIString(name, "__doc__") == 0) return PyObject_GetAttr(hook->original, name);
    }
    PyObject *value = PyObject_GenericGetAttr(self, name);
    if (value != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError)) return value;
    PyErr_Clear();
    return PyObject_GetAttr(hook->original, name);
}

static PyObject *hook_repr(PyObject *self) { return PyObject_Repr(((PathHook *)self)->original); }

/* pickle and copy treat it as the global it replaced (`io.open`, `posix.stat`), like a built-in function. */
static PyObject *hook_reduce(PyObject *self, PyObject *unused) {
    (void)unused;
    return PyObject_GetAttrString(((PathHook *)self)->original, "__qualname__");
}

static PyObject *hook_copy(PyObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self);
}

static PyMethodDef hook_methods[] = {
    {"__reduce__", hook_reduce, METH_NOARGS, NULL},
    {"__copy__", hook_copy, METH_NOARGS, NULL},
    {"__deepcopy__", hook_copy, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject PathHook_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_pystatic.PathHook",
    .tp_basicsize = sizeof(PathHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "PathHook(original, handler, path_args=1): calls `original`, or `_pystatic_files.<handler>` "
              "for paths below the executable (the bits of path_args say which positional arguments are paths).",
    .tp_new = hook_new,
    .tp_dealloc = hook_dealloc,
    .tp_traverse = hook_traverse,
    .tp_clear = hook_clear,
    .tp_getattro = hook_getattro,
    .tp_repr = hook_repr,
    .tp_methods = hook_methods,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(PathHook, vectorcall),
};

/* _pystatic.set_view_root(root): the directory form (`sys.executable + "/"`) of the embedded tree. */
static PyObject *set_view_root(PyObject *self, PyObject *root) {
    (void)self;
    if (!PyUnicode_Check(root)) return PyErr_Format(PyExc_TypeError, "root must be str");
    PyObject *encoded = PyUnicode_EncodeFSDefault(root);
    if (encoded == NULL) return NULL;
#ifdef _WIN32
    /* The same root ending in a backslash instead of the slash. */
    Py_ssize_t length = PyUnicode_GET_LENGTH(root);
    PyObject *stem = length > 0 ? PyUnicode_Substring(root, 0, length - 1) : NULL;
    PyObject *alt = stem != NULL ? PyUnicode_FromFormat("%U\\", stem) : NULL;
    Py_XDECREF(stem);
    if (alt == NULL) {
        Py_DECREF(encoded);
        return NULL;
    }
    Py_XSETREF(root_alt, alt);
#endif
    Py_XSETREF(root_str, Py_NewRef(root));
    Py_XSETREF(root_bytes, encoded);
    Py_RETURN_NONE;
}

/* Adds to `names` the first component of every name of `kind` below `prefix` (`sep` separates
 * components: '/' for files, '.' for modules); a module without a dot after it becomes `x.py` (if
 * embedded with its source) or `x` (a package: a directory). Each subdirectory's subtree is skipped
 * with one binary search: O(entries listed x log n), not O(everything below). */
static int add_children(PyObject *names, int kind, const char *prefix, size_t prefix_size, char sep) {
    uint32_t i = pystatic_blob_lower_bound(kind, prefix, prefix_size);
    int k, flags;
    const char *name;
    size_t size;
    while (pystatic_blob_record(i, &k, &flags, &name, &size) && k == kind && size >= prefix_size &&
           memcmp(name, prefix, prefix_size) == 0) {
        const char *rest = name + prefix_size;
        size_t rest_size = size - prefix_size;
        const char *end = memchr(rest, sep, rest_size);
        size_t first = end ? (size_t)(end - rest) : rest_size;
        PyObject *child = NULL;
        int add = 1;
        if (end != NULL || sep == '/' || (flags & PYSTATIC_FLAG_PACKAGE)) {
            child = PyUnicode_DecodeUTF8(rest, (Py_ssize_t)first, "strict");
        } else if (flags & PYSTATIC_FLAG_HAS_SOURCE) {
            PyObject *stem = PyUnicode_DecodeUTF8(rest, (Py_ssize_t)first, "strict");
            child = stem ? PyUnicode_FromFormat("%U.py", stem) : NULL;
            Py_XDECREF(stem);
        } else {
            add = 0; /* a module without its source: no file in the tree */
        }
        if (add && (child == NULL || PySet_Add(names, child) < 0)) {
            Py_XDECREF(child);
            return -1;
        }
        Py_XDECREF(child);
        if (end == NULL) {
            i++;
            continue;
        }
        /* Past the subtree: the first name >= prefix + first + (sep + 1). */
        char *next = PyMem_Malloc(prefix_size + first + 1);
        if (next == NULL) return PyErr_NoMemory(), -1;
        memcpy(next, name, prefix_size + first);
        next[prefix_size + first] = (char)(sep + 1);
        i = pystatic_blob_lower_bound(kind, next, prefix_size + first + 1);
        PyMem_Free(next);
    }
    return 0;
}

/* _pystatic.tree_children(key) -> sorted names in the directory `key` of the tree ("" is the root):
 * data and metadata files and directories, subpackages, modules' sources (`mod.py`) and a
 * package's own `__init__.py` (runtime/_pystatic_tree.py, children). */
static PyObject *tree_children(PyObject *self, PyObject *arg) {
    (void)self;
    Py_ssize_t key_size;
    const char *key = PyUnicode_AsUTF8AndSize(arg, &key_size);
    if (key == NULL) return NULL;
    size_t size = (size_t)key_size;
    char *prefix = PyMem_Malloc(size + 2);
    PyObject *names = PySet_New(NULL), *result = NULL;
    if (prefix == NULL || names == NULL) goto done;
    memcpy(prefix, key, size);
    prefix[size] = '/';
    size_t file_prefix = size ? size + 1 : 0;
    if (add_children(names, PYSTATIC_KIND_DATA, prefix, file_prefix, '/') < 0 ||
        add_children(names, PYSTATIC_KIND_METADATA, prefix, file_prefix, '/') < 0)
        goto done;
    /* Modules: only a directory whose key is a dotted name (no '.' in it) holds modules. */
    if (memchr(key, '.', size) == NULL) {
        for (size_t j = 0; j < size; j++)
            if (prefix[j] == '/') prefix[j] = '.';
        prefix[size] = '.';
        if (add_children(names, PYSTATIC_KIND_MODULE, prefix, file_prefix, '.') < 0) goto done;
        int k, flags;
        const char *name;
        size_t name_size;
        uint32_t own = pystatic_blob_lower_bound(PYSTATIC_KIND_MODULE, prefix, size);
        if (size && pystatic_blob_record(own, &k, &flags, &name, &name_size) && k == PYSTATIC_KIND_MODULE &&
            name_size == size && memcmp(name, prefix, size) == 0 && (flags & PYSTATIC_FLAG_PACKAGE) &&
            (flags & PYSTATIC_FLAG_HAS_SOURCE)) {
            PyObject *init = PyUnicode_FromString("__init__.py");
            if (init == NULL || PySet_Add(names, init) < 0) {
                Py_XDECREF(init);
                goto done;
            }
            Py_DECREF(init);
        }
    }
    if ((result = PySequence_List(names)) != NULL && PyList_Sort(result) < 0) Py_CLEAR(result);
done:
    PyMem_Free(prefix);
    Py_XDECREF(names);
    return result;
}

static PyMethodDef view_methods[] = {
    {"set_view_root", set_view_root, METH_O, "set_view_root(root): paths below `root` go to the embedded tree"},
    {"tree_children", tree_children, METH_O, "tree_children(key) -> sorted names in the tree's directory `key`"},
    {"set_stat_template", pystatic_set_stat_template, METH_VARARGS,
     "set_stat_template(proto, n_fields, blocks_index, root): stat and listdir below root served in C"},
    {NULL, NULL, 0, NULL},
};

int pystatic_add_file_view(PyObject *module) {
    if (PyType_Ready(&PathHook_Type) < 0) return -1;
    if (PyModule_AddObjectRef(module, "PathHook", (PyObject *)&PathHook_Type) < 0) return -1;
    return PyModule_AddFunctions(module, view_methods);
}
