/* Reader of the resource blob (docs/resource-blob.md) and the built-in module `_pystatic` that
 * exposes it to the importer (runtime/_pystatic_bootstrap.py): the layout is blob_internal.h's, the
 * module's functions blob_module.c's.
 *
 * The blob lives in the executable's read-only data: uncompressed entries are used in place
 * (code is unmarshalled straight from it, data can be read as a memoryview), nothing is copied
 * to disk. The header and the index are checked once at start-up (bounds and a checksum); every
 * payload is checked against the data section, and its checksum verified the first time it is
 * used: a damaged entry ends the process (exit 70, naming it) before its bytes reach marshal or
 * the application. */
#include "blob_internal.h"

#include <marshal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _WIN32
#include <windows.h>
#endif

#define EXIT_DAMAGED 70

#ifdef _WIN32
/* The executable's path, for messages: GetModuleFileName (the UCRT keeps argv[0] only for main, not
 * for a wmain program). */
static const char *program_name(void) {
    static char name[MAX_PATH];
    DWORD size = GetModuleFileNameA(NULL, name, sizeof name);
    return size > 0 && size < sizeof name ? name : "the executable";
}
#else
extern char *program_invocation_name; /* argv[0]; musl and glibc */
#define program_name() program_invocation_name
#endif

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
const char *pystatic_blob_payload(const blob_record *r, int which) {
    const blob_payload *p = which ? &r->source : &r->primary;
    unsigned char *done = &blob.verified[(size_t)(r - blob.records) * 2 + which];
    if (!__atomic_load_n(done, __ATOMIC_RELAXED)) {
        if (checksum(0, blob.data + p->offset, p->stored) != p->checksum) {
            fprintf(stderr,
                    "%s: the embedded resource blob is damaged: %s '%.*s' (%s) fails its checksum; "
                    "this copy of the executable is corrupt, replace it\n",
                    program_name(), kind_name(r->kind), (int)r->name_size, blob.names + r->name_offset,
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
    return (const unsigned char *)pystatic_blob_payload(r, 0);
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

int pystatic_blob_payload_bytes(const blob_record *r, int which, const void **data, void **owned) {
    const blob_payload *p = which ? &r->source : &r->primary;
    const char *stored = pystatic_blob_payload(r, which);
    *owned = NULL;
    if (!(r->flags & (which ? FLAG_SOURCE_ZSTD : FLAG_PRIMARY_ZSTD))) {
        *data = stored;
        return 0;
    }
    char *buffer = PyMem_RawMalloc(p->size ? p->size : 1);
    if (buffer == NULL) return PAYLOAD_NO_MEMORY;
    size_t n = pystatic_zstd_decompress(buffer, p->size, stored, p->stored, blob.dict, blob.dict_size);
    if (n != p->size) {
        PyMem_RawFree(buffer);
        return n == (size_t)-1 ? PAYLOAD_NOT_DECOMPRESSED : PAYLOAD_WRONG_SIZE;
    }
    *data = *owned = buffer;
    return 0;
}

/* Calls `use(ptr, size, arg)` on payload `which` of `r` (verified), decompressing into a temporary
 * buffer if needed. */
PyObject *pystatic_blob_with_payload(const blob_record *r, int which, PyObject *(*use)(const char *, Py_ssize_t, void *),
                              void *arg) {
    const void *data;
    void *owned;
    int status = pystatic_blob_payload_bytes(r, which, &data, &owned);
    if (status == PAYLOAD_NO_MEMORY) return PyErr_NoMemory();
    if (status < 0) {
        PyErr_SetString(PyExc_ImportError, status == PAYLOAD_NOT_DECOMPRESSED
                                               ? "resource is zstd-compressed but could not be decompressed"
                                               : "resource decompressed to the wrong size");
        return NULL;
    }
    const blob_payload *p = which ? &r->source : &r->primary;
    PyObject *result = use(data, owned ? p->size : p->stored, arg);
    PyMem_RawFree(owned);
    return result;
}

static PyObject *unmarshal(const char *data, Py_ssize_t size, void *unused) {
    (void)unused;
    return PyMarshal_ReadObjectFromString(data, size);
}

const blob_record *pystatic_blob_find(int kind, PyObject *name) {
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
    PyObject *code = pystatic_blob_with_payload(r, 0, unmarshal, NULL);
    if (code != NULL && !PyCode_Check(code)) {
        Py_DECREF(code);
        PyErr_Format(PyExc_ImportError, "bytecode of module '%s' is not a code object", name);
        return NULL;
    }
    return code;
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

const blob_record *pystatic_blob_find_name(int kind, const char *name, size_t size) { return find(kind, name, size); }

uint32_t pystatic_blob_index_of(const blob_record *r) { return (uint32_t)(r - blob.records); }

int pystatic_blob_has_prefix(uint32_t i, int kind, const char *prefix, size_t size) {
    const blob_record *r = i < blob.count ? &blob.records[i] : NULL;
    return r != NULL && r->kind == kind && r->name_size >= size && memcmp(blob.names + r->name_offset, prefix, size) == 0;
}

