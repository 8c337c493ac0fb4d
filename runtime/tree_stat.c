/* The file view's fast path (file_view.c): `os.stat`/`os.lstat` and `os.listdir` of a path below
 * the executable answered in C, without the handlers of runtime/_pystatic_files.py. botocore stats
 * and lists its data directories at every `aws` start (1,745 stats and 859 listings): in Python
 * each cost 25 k instructions. Only the common case is served here (a str path whose part below the
 * executable is already a key, an entry that exists); anything else (bytes, `dir_fd`, `..`, a
 * missing entry, a file listed as a directory) goes to the Python handlers as before, which raise
 * the errors. The answers are those of _pystatic_files._stat_of and _pystatic_tree.is_dir. */
#include "blob_internal.h"

#include "native_loader.h"

#include <stdlib.h>
#include <string.h>

static PyObject *stat_proto;       /* _pystatic_files' stat_result of an entry: device, owner, times */
static Py_ssize_t stat_fields;     /* its n_fields (visible and not) */
static Py_ssize_t stat_blocks = -1; /* index of st_blocks among them */
static PyObject *stat_root;        /* _pystatic_files._ROOT: the executable + "/" */

/* _pystatic.set_stat_template(proto, n_fields, blocks_index, root): the stat_result every entry's
 * stat copies, with mode, inode, size and blocks filled in; the paths below `root` are served. Called
 * by _pystatic_files when it is first imported: until then the handlers answer. */
PyObject *pystatic_set_stat_template(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *proto;
    PyObject *root;
    Py_ssize_t fields, blocks;
    if (!PyArg_ParseTuple(args, "OnnU", &proto, &fields, &blocks, &root)) return NULL;
    if (!PyTuple_Check(proto) || fields < 10 || blocks < 10 || blocks >= fields)
        return PyErr_Format(PyExc_ValueError, "set_stat_template: not a stat_result layout");
    Py_XSETREF(stat_proto, Py_NewRef(proto));
    stat_fields = fields;
    stat_blocks = blocks;
    Py_XSETREF(stat_root, Py_NewRef(root));
    Py_RETURN_NONE;
}

static int has_prefix(int kind, const char *prefix, size_t size) {
    return pystatic_blob_has_prefix(pystatic_blob_lower_bound(kind, prefix, size), kind, prefix, size);
}

/* _pystatic_tree.file_entry: the record of the file `key` (a data or metadata file, or a module's
 * source `pkg/mod.py`, `pkg/__init__.py`), its kind and size; NULL if there is none. */
static const blob_record *file_entry(const char *key, size_t size, char *buffer, int *kind, uint32_t *file_size) {
    const blob_record *r;
    for (int k = KIND_DATA; k <= KIND_METADATA; k++) {
        if ((r = pystatic_blob_find_name(k, key, size)) != NULL) {
            *kind = k;
            *file_size = (r->flags & FLAG_HAS_PRIMARY) ? r->primary.size : 0;
            return r;
        }
    }
    if (size <= 3 || memcmp(key + size - 3, ".py", 3) != 0) return NULL;
    size_t stem = size - 3;
    int is_init = stem >= 8 && memcmp(key + stem - 8, "__init__", 8) == 0 && (stem == 8 || key[stem - 9] == '/');
    size_t name_size = is_init ? (stem == 8 ? 0 : stem - 9) : stem;
    if (name_size == 0 || memchr(key, '.', name_size) != NULL) return NULL;
    for (size_t i = 0; i < name_size; i++) buffer[i] = key[i] == '/' ? '.' : key[i];
    r = pystatic_blob_find_name(KIND_MODULE, buffer, name_size);
    if (r == NULL || !(r->flags & FLAG_HAS_SOURCE) || !(r->flags & FLAG_PACKAGE) != !is_init) return NULL;
    *kind = KIND_MODULE;
    *file_size = r->source.size;
    return r;
}

/* _pystatic_tree.is_dir for a key that is not "": a data or metadata directory, a package, or a
 * dotted name with modules below it (a namespace package). `buffer` holds size + 1 bytes. */
static int is_dir(const char *key, size_t size, char *buffer) {
    memcpy(buffer, key, size);
    buffer[size] = '/';
    if (has_prefix(KIND_DATA, buffer, size + 1) || has_prefix(KIND_METADATA, buffer, size + 1)) return 1;
    if (memchr(key, '.', size) != NULL) return 0;
    for (size_t i = 0; i < size; i++)
        if (buffer[i] == '/') buffer[i] = '.';
    const blob_record *r = pystatic_blob_find_name(KIND_MODULE, buffer, size);
    if (r != NULL && (r->flags & FLAG_PACKAGE)) return 1;
    buffer[size] = '.';
    return has_prefix(KIND_MODULE, buffer, size + 1);
}

int pystatic_tree_key_entry(const char *key, size_t size, const blob_record **r, int *kind, uint32_t *file_size) {
    if (size == 0) return PYSTATIC_TREE_DIR; /* the root */
    char *buffer = malloc(size + 2);
    if (buffer == NULL) return 0;
    int type = 0;
    if ((*r = file_entry(key, size, buffer, kind, file_size)) != NULL) type = PYSTATIC_TREE_FILE;
    else if (is_dir(key, size, buffer)) type = PYSTATIC_TREE_DIR;
    free(buffer);
    return type;
}

/* The key of `path` if it is below the root and already a key (what _pystatic_files._key returns
 * without normalising), else NULL. */
static const char *simple_key(PyObject *path, PyObject *root, size_t *size) {
    Py_ssize_t path_size, root_size;
    const char *p = PyUnicode_AsUTF8AndSize(path, &path_size);
    const char *r = root == NULL ? NULL : PyUnicode_AsUTF8AndSize(root, &root_size);
    if (p == NULL || r == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (path_size <= root_size || memcmp(p, r, (size_t)root_size) != 0) return NULL;
    const char *key = p + root_size;
    size_t n = (size_t)(path_size - root_size);
    if (key[0] == '.' || key[n - 1] == '/') return NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (key[i] == '/' && (key[i + 1] == '/' || key[i + 1] == '.')) return NULL;
    *size = n;
    return key;
}

static PyObject *stat_result(const char *key, size_t size, int dir, int kind, uint32_t index, uint32_t file_size) {
    unsigned long long ino;
    if (dir) {
        /* hash(("dir", key)) & 0x7FFFFFFFFFFFFFFF, as _stat_of */
        PyObject *tuple = Py_BuildValue("(ss#)", "dir", key, (Py_ssize_t)size);
        if (tuple == NULL) return NULL;
        Py_hash_t hash = PyObject_Hash(tuple);
        Py_DECREF(tuple);
        if (hash == -1 && PyErr_Occurred()) return NULL;
        ino = (unsigned long long)hash & 0x7FFFFFFFFFFFFFFFull;
    } else {
        ino = ((unsigned long long)index + 1) | ((unsigned long long)kind << 48);
    }
    PyObject *values[4] = {PyLong_FromLong(dir ? 0040755 : 0100644), PyLong_FromUnsignedLongLong(ino),
                           PyLong_FromUnsignedLong(file_size), PyLong_FromUnsignedLong((file_size + 511ul) / 512)};
    Py_ssize_t at[4] = {0, 1, 6, stat_blocks};
    PyObject *result = values[0] && values[1] && values[2] && values[3] ? PyStructSequence_New(Py_TYPE(stat_proto)) : NULL;
    if (result != NULL) {
        for (Py_ssize_t i = 0; i < stat_fields; i++)
            PyStructSequence_SetItem(result, i, Py_XNewRef(((PyTupleObject *)stat_proto)->ob_item[i]));
        for (int j = 0; j < 4; j++) {
            Py_SETREF(((PyTupleObject *)result)->ob_item[at[j]], values[j]);
            values[j] = NULL;
        }
    }
    for (int j = 0; j < 4; j++) Py_XDECREF(values[j]);
    return result;
}

/* stat (listing = 0) or listdir (listing = 1) of `path` (a str) served here: a new reference; NULL
 * without an exception if the Python handler should answer; NULL with one on an error. */
PyObject *pystatic_tree_fast(int listing, PyObject *path, PyObject *(*children)(PyObject *, PyObject *)) {
    if (stat_proto == NULL) return NULL;
    size_t size;
    const char *key = simple_key(path, stat_root, &size);
    if (key == NULL) return NULL;
    char *buffer = PyMem_Malloc(size + 2);
    if (buffer == NULL) return PyErr_NoMemory();
    PyObject *result = NULL;
    int kind = 0;
    uint32_t file_size = 0;
    const blob_record *r = listing ? NULL : file_entry(key, size, buffer, &kind, &file_size);
    if (r != NULL) {
        result = stat_result(key, size, 0, kind, pystatic_blob_index_of(r), file_size);
    } else if (is_dir(key, size, buffer)) {
        if (listing) {
            PyObject *name = PyUnicode_DecodeUTF8(key, (Py_ssize_t)size, "strict");
            result = name == NULL ? NULL : children(NULL, name);
            Py_XDECREF(name);
        } else {
            result = stat_result(key, size, 1, 0, 0, 0);
        }
    }
    PyMem_Free(buffer);
    return result;
}
