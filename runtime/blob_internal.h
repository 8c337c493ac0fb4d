/* The resource blob's layout (docs/resource-blob.md): actions/pystatic/format/blob.py writes it,
 * blob.c reads it (tests/actions/test_blob_parity.py compares the two), and what the reader offers
 * the `_pystatic` module (blob_module.c). Not part of the runtime's contract (pystatic_runtime.h). */
#ifndef PYSTATIC_BLOB_INTERNAL_H
#define PYSTATIC_BLOB_INTERNAL_H

#include "pystatic_runtime.h"

#define MAGIC "PYSTBLOB"
#define FORMAT_VERSION 4
#define HEADER_CHECKSUM_OFFSET 64

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

/* blob.c, for blob_module.c. The record of `kind` named by the str `name`; NULL if there is none (an
 * exception set only if `name` is not valid UTF-8). */
const blob_record *pystatic_blob_find(int kind, PyObject *name);
/* Index of record `r` in the sorted index. */
uint32_t pystatic_blob_index_of(const blob_record *r);
/* Whether record i exists, is of `kind` and its name starts with `prefix`. */
int pystatic_blob_has_prefix(uint32_t i, int kind, const char *prefix, size_t size);
/* The stored bytes of payload `which` (0 primary, 1 source) of `r`, checksum verified (a mismatch
 * ends the process). */
const char *pystatic_blob_payload(const blob_record *r, int which);
/* Calls `use(ptr, size, arg)` on payload `which` of `r` (verified), decompressed if it is stored so. */
PyObject *pystatic_blob_with_payload(const blob_record *r, int which,
                                     PyObject *(*use)(const char *, Py_ssize_t, void *), void *arg);
/* Payload `which` of `r` (verified), callable without the GIL: *data points into the blob, or into
 * *owned (PyMem_RawMalloc'd; the caller PyMem_RawFrees it) when it is stored compressed. 0, or one
 * of the PAYLOAD_ errors. */
enum { PAYLOAD_NO_MEMORY = -1, PAYLOAD_NOT_DECOMPRESSED = -2, PAYLOAD_WRONG_SIZE = -3 };
int pystatic_blob_payload_bytes(const blob_record *r, int which, const void **data, void **owned);
/* The record of `kind` named `name` (UTF-8, `size` bytes); NULL if there is none. */
const blob_record *pystatic_blob_find_name(int kind, const char *name, size_t size);
/* tree_stat.c, for file_view.c: stat (listing = 0) or listdir (1) of a str path in the tree served in
 * C; NULL without an exception when the Python handler should answer. `children` is tree_children. */
PyObject *pystatic_tree_fast(int listing, PyObject *path, PyObject *(*children)(PyObject *, PyObject *));
PyObject *pystatic_set_stat_template(PyObject *self, PyObject *args);
/* tree_stat.c, for native code (native_images.c), without the Python API: what the tree key `key` is:
 * PYSTATIC_TREE_FILE (*r, *kind, *file_size filled), PYSTATIC_TREE_DIR, or 0 (nothing). */
int pystatic_tree_key_entry(const char *key, size_t size, const blob_record **r, int *kind, uint32_t *file_size);
/* gc_promote.c, for exec_module: the collector's young generations, merged into its oldest. */
void pystatic_gc_promote(void);

#endif
