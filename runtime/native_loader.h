/* The in-memory loader of native extension modules and the shared libraries they bundle
 * (tests/native_loader/README.md). A static musl executable has no ld.so: these files are its
 * replacement for the objects Python imports, serving dlopen/dlsym/dl_iterate_phdr from the
 * executable itself. The runtime provides where each embedded file's bytes are and which symbols
 * of the executable loaded objects may bind to; the loader does the rest. */
#ifndef PYSTATIC_NATIVE_LOADER_H
#define PYSTATIC_NATIVE_LOADER_H

#include <stddef.h>
#include <stdint.h>

/* Where a shared object's bytes are. data/size always valid (read-only); when fd >= 0 the same
 * bytes are at file_offset in that file, so segments can be mapped file-backed. */
struct pystatic_image {
    const unsigned char *data;
    size_t size;
    int fd;
    uint64_t file_offset;
};

/* Implemented by the runtime: the embedded file at the absolute path (e.g.
 * "<executable>/numpy.libs/libopenblas-r0.so"); returns 1 and fills *image, or 0. */
int pystatic_embedded_image(const char *path, struct pystatic_image *image);

/* A file or directory of the embedded tree, for native code's path functions (native_files.c). */
enum { PYSTATIC_TREE_FILE = 1, PYSTATIC_TREE_DIR = 2 };
struct pystatic_tree_entry {
    int type;           /* PYSTATIC_TREE_FILE or PYSTATIC_TREE_DIR */
    uint64_t inode;
    size_t size;        /* a file's size in bytes */
    size_t root_size;   /* the executable's path is the first root_size bytes of the path looked up */
    const void *record; /* the runtime's, for pystatic_tree_read */
    int part;           /* the runtime's, for pystatic_tree_read */
};

/* Implemented by the runtime, callable from any thread without the GIL: what `normalized` (an
 * absolute path without `.`, `..` and empty components) is in the embedded tree. 0: not below the
 * executable (the C library answers); 1: *entry is filled; -1: below the executable, nothing there. */
int pystatic_tree_lookup(const char *normalized, struct pystatic_tree_entry *entry);
/* A file entry's bytes: *data points into the executable, or into *owned (released with
 * pystatic_tree_release) when they are stored compressed. 0, or -1 if they cannot be read. */
int pystatic_tree_read(const struct pystatic_tree_entry *entry, const void **data, void **owned);
void pystatic_tree_release(void *owned);

/* Generated per binary: the executable's symbols that loaded objects may bind to, sorted by strcmp
 * of name, terminated by {0, 0}; an address may be NULL (weak reference nobody defined). */
struct pystatic_export {
    const char *name;
    void *address;
};
extern const struct pystatic_export pystatic_exports[];

/* Generated per binary: DT_NEEDED names the executable itself provides (e.g. "libz.so.1"),
 * NULL-terminated. The libc names (libc.so, libm.so.6, ld-musl-*.so.1, ...) are always provided. */
extern const char *const pystatic_provided_libraries[];

/* Called once by main() before Python starts: remembers (argc, argv, envp) for the loaded objects'
 * initializers, the executable's path (dlopen of it or NULL = the export table) and registers the
 * exit handler that runs their finalizers. */
void pystatic_loader_init(int argc, char **argv, char **envp, const char *executable_path);

#endif
