/* Reader of the resource blob (docs/resource-blob.md) and the built-in module `_pystatic` that
 * exposes it to the importer (runtime/_pystatic_bootstrap.py).
 *
 * The blob lives in the executable's read-only data: uncompressed entries are used in place
 * (code is unmarshalled straight from it, data can be read as a memoryview), nothing is copied
 * to disk. The header and the index are checked once at start-up (bounds and a checksum); every
 * payload is checked against the data section, and its checksum verified the first time it is
 * used: a damaged entry ends the process (exit 70, naming it) before its bytes reach marshal or
 * the application. */
#include "pystatic_runtime.h"

#include <marshal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "PYSTBLOB"
#define FORMAT_VERSION 4
#define HEADER_CHECKSUM_OFFSET 64
#define EXIT_DAMAGED 70

extern char *program_invocation_name; /* argv[0]; musl and glibc */

enum { KIND_MODULE = 1, KIND_DATA = 2, KIND_METADATA = 3 };
enum {
    FLAG_PACKAGE = 0x01,
    FLAG_HAS_PRIMARY = 0x02,
    FLAG_HAS_SOURCE = 0x04,
    FLAG_SHARED_OBJECT = 0x08, /* data file: an ELF shared object, uncompressed, 64 KiB-aligned */
    FLAG_PRIMARY_ZSTD = 0x10,
    FLAG_SOURCE_ZSTD = 0x20,
    KNOWN_FLAGS = FLAG_PACKAGE | FLAG_HAS_PRIMARY | FLAG_HAS_SOURCE | FLAG_SHARED_OBJECT | FLAG_PRIMARY_ZSTD | FLAG_SOURCE_ZSTD,
    /* Header flags. */
    HEADER_ZSTD_DICT = 0x02, /* zstd payloads need the dictionary at dict_offset (in the data section) */
};

/* Little-endian on every supported target (x86_64, aarch64); field offsets as in blob.py. */
typedef struct {
    char magic[8];
    uint32_t version, bytecode_magic, count, flags;
    uint64_t index_offset, names_offset, names_size, data_offset, data_size;
    uint32_t checksum, reserved0; /* CRC-32 of the bytes before the data section, this field as 0 */
    uint64_t dict_offset, dict_size; /* the zstd dictionary (HEADER_ZSTD_DICT), in the data section */
} blob_header;

typedef struct {
    uint64_t offset;
    uint32_t stored, size;
    uint32_t checksum; /* CRC-32 of the stored bytes */
    uint32_t reserved;
} blob_payload;

typedef struct {
    uint32_t name_offset, name_size;
    uint8_t kind, flags;
    uint16_t reserved0;
    uint32_t reserved1;
    blob_payload primary, source;
} blob_record;

_Static_assert(KIND_MODULE == PYSTATIC_KIND_MODULE && KIND_DATA == PYSTATIC_KIND_DATA &&
                   KIND_METADATA == PYSTATIC_KIND_METADATA && FLAG_PACKAGE == PYSTATIC_FLAG_PACKAGE &&
                   FLAG_HAS_SOURCE == PYSTATIC_FLAG_HAS_SOURCE,
               "the file view's kinds and flags (pystatic_runtime.h)");
_Static_assert(sizeof(blob_header) == 88, "blob header layout");
_Static_assert(offsetof(blob_header, checksum) == HEADER_CHECKSUM_OFFSET, "blob header layout");
_Static_assert(sizeof(blob_payload) == 24, "blob payload layout");
_Static_assert(sizeof(blob_record) == 64, "blob record layout");

static struct {
    const blob_record *records;
    uint32_t count;
    const char *names;
    uint64_t names_size;
    const unsigned char *data;
    uint64_t data_size;
    uint32_t bytecode_magic;
    const unsigned char *dict; /* zstd dictionary, or NULL */
    size_t dict_size;
    /* verified[2 i + p]: payload p (0 primary, 1 source) of record i passed its checksum. Written
     * once per payload with relaxed atomics: two threads that race both verify, harmlessly. */
    unsigned char *verified;
} blob;

/* CRC-32 as zlib computes it (blob_crc.c: zlib's crc32(), or the same folded with PCLMULQDQ). */
static uint32_t checksum(uint32_t crc, const unsigned char *data, uint64_t size) {
    return pystatic_crc32(crc, data, (size_t)size);
}

int pystatic_blob_open(const unsigned char *start, const unsigned char *end, const char **error) {
    size_t size = (size_t)(end - start);
    const blob_header *h = (const blob_header *)start;
    if (size < sizeof(blob_header)) return *error = "truncated (no header)", -1;
    if (memcmp(h->magic, MAGIC, 8) != 0) return *error = "bad magic", -1;
    if (h->version != FORMAT_VERSION) return *error = "unknown format version (rebuild the binary)", -1;
    if (h->index_offset != sizeof(blob_header) ||
        h->names_offset != h->index_offset + (uint64_t)h->count * sizeof(blob_record) ||
        /* No sums of header fields: damaged ones must not wrap around to a small value. */
        h->data_offset > size || h->data_size > size - h->data_offset || h->names_offset > h->data_offset ||
        h->names_size > h->data_offset - h->names_offset)
        return *error = "sections out of bounds", -1;
    static const unsigned char zero[4];
    uint32_t crc = checksum(0, start, HEADER_CHECKSUM_OFFSET);
    crc = checksum(crc, zero, sizeof zero);
    crc = checksum(crc, start + HEADER_CHECKSUM_OFFSET + 4, h->data_offset - HEADER_CHECKSUM_OFFSET - 4);
    if (crc != h->checksum) return *error = "header, index or names damaged (checksum mismatch)", -1;
    blob.records = (const blob_record *)(start + h->index_offset);
    blob.count = h->count;
    blob.names = (const char *)start + h->names_offset;
    blob.names_size = h->names_size;
    blob.data = start + h->data_offset;
    blob.data_size = h->data_size;
    blob.bytecode_magic = h->bytecode_magic;
    if (h->flags & HEADER_ZSTD_DICT) {
        if (h->dict_size == 0 || h->dict_offset > blob.data_size || h->dict_size > blob.data_size - h->dict_offset)
            return *error = "zstd dictionary out of bounds", -1;
        blob.dict = blob.data + h->dict_offset;
        blob.dict_size = (size_t)h->dict_size;
    }
    for (uint32_t i = 0; i < blob.count; i++) {
        const blob_record *r = &blob.records[i];
        if ((uint64_t)r->name_offset + r->name_size > blob.names_size) return *error = "entry name out of bounds", -1;
        if (r->kind < KIND_MODULE || r->kind > KIND_METADATA || (r->flags & ~KNOWN_FLAGS))
            return *error = "entry of unknown kind or with unknown flags", -1;
        /* Absent payloads are written as zeros: check both, whatever the flags say. */
        if (r->primary.offset > blob.data_size || r->primary.stored > blob.data_size - r->primary.offset)
            return *error = "entry payload out of bounds", -1;
        if (r->source.offset > blob.data_size || r->source.stored > blob.data_size - r->source.offset)
            return *error = "entry source out of bounds", -1;
        if ((r->flags & FLAG_SHARED_OBJECT) &&
            (r->kind != KIND_DATA || (r->flags & FLAG_PRIMARY_ZSTD) || !(r->flags & FLAG_HAS_PRIMARY)))
            return *error = "shared object entry that is not an uncompressed data file", -1;
    }
    blob.verified = calloc((size_t)blob.count * 2 + 1, 1);
    if (blob.verified == NULL) return *error = "out of memory", -1;
    return 0;
}

static const char *kind_name(int kind) {
    return kind == KIND_MODULE ? "module" : kind == KIND_DATA ? "data file" : "metadata file";
}

/* The stored bytes of payload `which` (0 primary, 1 source) of `r`, checked against their checksum
 * the first time. A mismatch ends the process: the executable itself is damaged, so no exception
 * that the application could catch and carry on from (docs/resource-blob.md). */
static const char *payload_bytes(const blob_record *r, int which) {
    const blob_payload *p = which ? &r->source : &r->primary;
    unsigned char *done = &blob.verified[(size_t)(r - blob.records) * 2 + which];
    if (!__atomic_load_n(done, __ATOMIC_RELAXED)) {
        if (checksum(0, blob.data + p->offset, p->stored) != p->checksum) {
            fprintf(stderr,
                    "%s: the embedded resource blob is damaged: %s '%.*s' (%s) fails its checksum; "
                    "this copy of the executable is corrupt, replace it\n",
                    program_invocation_name, kind_name(r->kind), (int)r->name_size, blob.names + r->name_offset,
                    which ? "source" : r->kind == KIND_MODULE ? "bytecode" : "contents");
            _exit(EXIT_DAMAGED);
        }
        __atomic_store_n(done, 1, __ATOMIC_RELAXED);
    }
    return (const char *)blob.data + p->offset;
}

static const blob_record *find(int kind, const char *name, size_t size);

const unsigned char *pystatic_blob_shared_object(const char *name, size_t name_size, size_t *size) {
    const blob_record *r = find(KIND_DATA, name, name_size);
    if (r == NULL || !(r->flags & FLAG_SHARED_OBJECT)) return NULL;
    *size = r->primary.size;
    return (const unsigned char *)payload_bytes(r, 0);
}

static int compare(int kind, const char *name, size_t size, const blob_record *r) {
    if (kind != r->kind) return kind < r->kind ? -1 : 1;
    size_t common = size < r->name_size ? size : r->name_size;
    int c = memcmp(name, blob.names + r->name_offset, common);
    if (c != 0) return c;
    return size == r->name_size ? 0 : (size < r->name_size ? -1 : 1);
}

/* Index of the first record >= (kind, name) in the sorted index. */
static uint32_t lower_bound(int kind, const char *name, size_t size) {
    uint32_t lo = 0, hi = blob.count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (compare(kind, name, size, &blob.records[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const blob_record *find(int kind, const char *name, size_t size) {
    uint32_t i = lower_bound(kind, name, size);
    return i < blob.count && compare(kind, name, size, &blob.records[i]) == 0 ? &blob.records[i] : NULL;
}

/* Calls `use(ptr, size, arg)` on payload `which` of `r` (verified), decompressing into a temporary
 * buffer if needed. */
static PyObject *with_payload(const blob_record *r, int which, PyObject *(*use)(const char *, Py_ssize_t, void *),
                              void *arg) {
    const blob_payload *p = which ? &r->source : &r->primary;
    int compressed = r->flags & (which ? FLAG_SOURCE_ZSTD : FLAG_PRIMARY_ZSTD);
    const char *stored = payload_bytes(r, which);
    if (!compressed) return use(stored, p->stored, arg);
    char *buffer = PyMem_RawMalloc(p->size ? p->size : 1);
    if (buffer == NULL) return PyErr_NoMemory();
    size_t n = pystatic_zstd_decompress(buffer, p->size, stored, p->stored, blob.dict, blob.dict_size);
    PyObject *result;
    if (n != p->size) {
        PyErr_SetString(PyExc_ImportError,
                        n == (size_t)-1 ? "resource is zstd-compressed but could not be decompressed"
                                        : "resource decompressed to the wrong size");
        result = NULL;
    } else {
        result = use(buffer, p->size, arg);
    }
    PyMem_RawFree(buffer);
    return result;
}

static PyObject *unmarshal(const char *data, Py_ssize_t size, void *unused) {
    (void)unused;
    return PyMarshal_ReadObjectFromString(data, size);
}

static PyObject *to_bytes(const char *data, Py_ssize_t size, void *unused) {
    (void)unused;
    return PyBytes_FromStringAndSize(data, size);
}

static const blob_record *find_str(int kind, PyObject *name) {
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(name, &size);
    if (utf8 == NULL) return NULL;
    return find(kind, utf8, (size_t)size);
}

int pystatic_blob_bytecode_matches(void) {
    /* Needs importlib._bootstrap_external, so only after the main phase of start-up. The build
     * compiles the stdlib with the distribution's own interpreter, so this holds for any binary
     * that was built, not hand-assembled. */
    long magic = PyImport_GetMagicNumber();
    return magic != -1 && (uint32_t)magic == blob.bytecode_magic;
}

PyObject *pystatic_get_code(const char *name) {
    const blob_record *r = find(KIND_MODULE, name, strlen(name));
    if (r == NULL || !(r->flags & FLAG_HAS_PRIMARY)) {
        PyErr_Format(PyExc_ImportError, "no bytecode for module '%s' in this executable", name);
        return NULL;
    }
    PyObject *code = with_payload(r, 0, unmarshal, NULL);
    if (code != NULL && !PyCode_Check(code)) {
        Py_DECREF(code);
        PyErr_Format(PyExc_ImportError, "bytecode of module '%s' is not a code object", name);
        return NULL;
    }
    return code;
}

/* _pystatic.find_module(name) -> entry flags, or -1 if the blob has no such module. */
static PyObject *py_find_module(PyObject *self, PyObject *name) {
    (void)self;
    if (!PyUnicode_Check(name)) return PyErr_Format(PyExc_TypeError, "module name must be str");
    const blob_record *r = find_str(KIND_MODULE, name);
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
    const blob_record *r = find_str(KIND_MODULE, name);
    if (r == NULL) {
        if (!PyErr_Occurred()) PyErr_Format(PyExc_ImportError, "no module named %R in this executable", name);
        return NULL;
    }
    if (!(r->flags & FLAG_HAS_SOURCE)) Py_RETURN_NONE;
    return with_payload(r, 1, to_bytes, NULL);
}

static const blob_record *find_file(PyObject *args, int *kind_out, PyObject **key_out) {
    int kind;
    PyObject *key;
    if (!PyArg_ParseTuple(args, "iU", &kind, &key)) return NULL;
    const blob_record *r = find_str(kind, key);
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
    return with_payload(r, 0, to_bytes, NULL);
}

/* _pystatic.view(kind, key) -> read-only memoryview over the executable's own bytes (no copy);
 * bytes when the entry is compressed. */
static PyObject *py_view(PyObject *self, PyObject *args) {
    (void)self;
    int kind;
    PyObject *key;
    const blob_record *r = find_file(args, &kind, &key);
    if (r == NULL) return NULL;
    if (r->flags & FLAG_PRIMARY_ZSTD) return with_payload(r, 0, to_bytes, NULL);
    return PyMemoryView_FromMemory((char *)payload_bytes(r, 0), r->primary.stored, PyBUF_READ);
}

/* The sorted index, for the file view's directory listings (file_view.c). */
uint32_t pystatic_blob_lower_bound(int kind, const char *name, size_t size) { return lower_bound(kind, name, size); }

int pystatic_blob_record(uint32_t i, int *kind, int *flags, const char **name, size_t *name_size) {
    if (i >= blob.count) return 0;
    const blob_record *r = &blob.records[i];
    *kind = r->kind;
    *flags = r->flags;
    *name = blob.names + r->name_offset;
    *name_size = r->name_size;
    return 1;
}

/* Whether record i exists, is of `kind` and its name starts with `prefix`. */
static int has_prefix(uint32_t i, int kind, const char *prefix, size_t size) {
    const blob_record *r = i < blob.count ? &blob.records[i] : NULL;
    return r != NULL && r->kind == kind && r->name_size >= size && memcmp(blob.names + r->name_offset, prefix, size) == 0;
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
    for (uint32_t i = lower_bound(kind, prefix, (size_t)size); has_prefix(i, kind, prefix, (size_t)size); i++) {
        const blob_record *r = &blob.records[i];
        PyObject *name = PyUnicode_DecodeUTF8(blob.names + r->name_offset, r->name_size, "strict");
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
    const blob_record *r = find_str(kind, name);
    if (r == NULL) {
        if (PyErr_Occurred()) return NULL;
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(nIII)", (Py_ssize_t)(r - blob.records), (unsigned)r->flags,
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
    return PyBool_FromLong(has_prefix(lower_bound(kind, prefix, (size_t)size), kind, prefix, (size_t)size));
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
    {"has_prefix", py_has_prefix, METH_VARARGS, "has_prefix(kind, prefix) -> bool"},
    {NULL, NULL, 0, NULL},
};

/* musl's version string (src/internal/version.c, hidden but reachable in a static link): the
 * truthful answer to packaging's "which musl is this" (musllinux tags, _pystatic_bootstrap.py). */
extern const char __libc_version[];

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
        PyModule_AddStringConstant(m, "libc_version", __libc_version) < 0 ||
        PyModule_AddIntConstant(m, "file_view", pystatic_settings.file_view) < 0 || pystatic_add_file_view(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
