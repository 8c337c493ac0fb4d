/* Where the loader (native_loader.c) finds embedded shared objects: the blob's data files flagged
 * as shared objects, by their virtual path `<executable>/<path below the import root>`. Each image
 * is read in place from the executable's memory and, when the executable file itself holds the
 * same bytes at a page-aligned offset, also named by (fd, offset) so its segments are mapped from
 * the file: pages shared between processes, and no writable+executable copy, which hardened
 * kernels refuse (PR_SET_MDWE, MemoryDenyWriteExecute). See docs/native-wheels.md. */
#include "blob_internal.h"
#include "native_loader.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static char *root;        /* "<executable>/" */
static size_t root_size;
static int exe_fd = -1;   /* the executable file, when it holds the blob as linked */
static uint64_t blob_file_offset;
static pthread_once_t file_once = PTHREAD_ONCE_INIT;

void pystatic_native_images_init(const char *executable) {
    root_size = strlen(executable) + 1;
    root = malloc(root_size + 1);
    if (root == NULL) return;
    memcpy(root, executable, root_size - 1);
    memcpy(root + root_size - 1, "/", 2);
}

/* The file offset of the blob: its address in the PT_LOAD segment that maps it. */
static int blob_offset_in_file(uint64_t *offset) {
    const ElfW(Phdr) *phdr = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    size_t count = getauxval(AT_PHNUM);
    if (phdr == NULL) return -1;
    uintptr_t bias = 0;
    for (size_t i = 0; i < count; i++)
        if (phdr[i].p_type == PT_PHDR) bias = (uintptr_t)phdr - phdr[i].p_vaddr;
    uintptr_t address = (uintptr_t)pystatic_blob;
    for (size_t i = 0; i < count; i++) {
        const ElfW(Phdr) *p = &phdr[i];
        if (p->p_type == PT_LOAD && address >= bias + p->p_vaddr && address < bias + p->p_vaddr + p->p_filesz) {
            *offset = p->p_offset + (address - bias - p->p_vaddr);
            return 0;
        }
    }
    return -1; /* e.g. compress_executable: the application was decompressed into anonymous memory */
}

static void open_executable(void) {
    uint64_t offset;
    /* PYSTATIC_NATIVE_COPY=1: copy every image into anonymous memory (bench/: RSS of both ways). */
    const char *copy = getenv("PYSTATIC_NATIVE_COPY");
    if (copy != NULL && strcmp(copy, "1") == 0) return;
    if (root == NULL || blob_offset_in_file(&offset) < 0) return;
    root[root_size - 1] = '\0';
    int fd = open(root, O_RDONLY | O_CLOEXEC);
    root[root_size - 1] = '/';
    if (fd < 0) return;
    /* The file must hold the blob exactly there (not a compressed executable, not replaced since). */
    unsigned char header[88];
    if (pread(fd, header, sizeof header, (off_t)offset) != (ssize_t)sizeof header ||
        memcmp(header, pystatic_blob, sizeof header) != 0) {
        close(fd);
        return;
    }
    blob_file_offset = offset;
    exe_fd = fd;
}

int pystatic_embedded_image(const char *path, struct pystatic_image *image) {
    if (root == NULL || strncmp(path, root, root_size) != 0) return 0;
    const char *name = path + root_size;
    size_t size;
    const unsigned char *data = pystatic_blob_shared_object(name, strlen(name), &size);
    if (data == NULL) return 0;
    pthread_once(&file_once, open_executable);
    image->data = data;
    image->size = size;
    image->fd = exe_fd;
    image->file_offset = exe_fd >= 0 ? blob_file_offset + (uint64_t)(data - pystatic_blob) : 0;
    return 1;
}

/* FNV-1a of a directory's key: its inode number (files have their record's index). */
static uint64_t key_hash(const char *key, size_t size) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < size; i++) h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    return h & 0x7FFFFFFFFFFFFFFFull;
}

int pystatic_tree_lookup(const char *normalized, struct pystatic_tree_entry *entry) {
    if (root == NULL || strncmp(normalized, root, root_size) != 0) return 0;
    const char *key = normalized + root_size;
    size_t len = strlen(key);
    const blob_record *r = NULL;
    int kind = 0;
    uint32_t size = 0;
    int type = pystatic_tree_key_entry(key, len, &r, &kind, &size);
    if (type == 0) return -1;
    *entry = (struct pystatic_tree_entry){type, 0, size, root_size - 1, r, kind == KIND_MODULE};
    entry->inode = type == PYSTATIC_TREE_FILE
                       ? ((uint64_t)pystatic_blob_index_of(r) + 1) | ((uint64_t)kind << 48)
                       : key_hash(key, len);
    return 1;
}

int pystatic_tree_read(const struct pystatic_tree_entry *entry, const void **data, void **owned) {
    if (entry->type != PYSTATIC_TREE_FILE) return -1;
    return pystatic_blob_payload_bytes(entry->record, entry->part, data, owned) == 0 ? 0 : -1;
}

void pystatic_tree_release(void *owned) { PyMem_RawFree(owned); }
