/* Test executable of the native loader: `harness CASE [ARGS]`, prints "ok CASE" and exits 0, or
 * prints "FAIL ..." and exits 1 (tests/native_loader/test_native_loader.py runs it).
 *
 * Its pystatic_embedded_image serves the files of bundle.bin (env NL_BUNDLE, index NL_INDEX)
 * under /embedded/...: NL_MODE=fd gives the bundle's fd and the file's offset (file-backed
 * mappings, as the runtime does), NL_MODE=memory only a heap copy (anonymous copies). */
#define _GNU_SOURCE
#include "harness.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int harness_data = 1234;
void harness_log(const char *message) {
    printf("log: %s\n", message);
    fflush(stdout);
}
int harness_provided(void) { return 4242; }

/* ---- the embedded files ---- */
struct entry { char path[256]; uint64_t offset, size; unsigned char *copy; };
static struct entry entries[256];
static size_t nentries;
static int bundle_fd = -1;
static const unsigned char *bundle_map;
static int use_fd;
struct pystatic_image fuzz_image; /* served as /fuzz/damaged.so */

void load_index(void) {
    const char *index = getenv("NL_INDEX"), *bundle = getenv("NL_BUNDLE"), *mode = getenv("NL_MODE");
    CHECK(index && bundle, "NL_INDEX and NL_BUNDLE must be set");
    use_fd = mode && strcmp(mode, "fd") == 0;
    FILE *f = fopen(index, "r");
    CHECK(f, "cannot open %s", index);
    while (nentries < 256 && fscanf(f, "%255s %lu %lu", entries[nentries].path, &entries[nentries].offset,
                                   &entries[nentries].size) == 3)
        nentries++;
    fclose(f);
    bundle_fd = open(bundle, O_RDONLY | O_CLOEXEC);
    CHECK(bundle_fd >= 0, "cannot open %s", bundle);
    off_t size = lseek(bundle_fd, 0, SEEK_END);
    bundle_map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, bundle_fd, 0);
    CHECK(bundle_map != MAP_FAILED, "mmap");
}

int pystatic_embedded_image(const char *path, struct pystatic_image *image) {
    if (fuzz_image.data && strcmp(path, "/fuzz/damaged.so") == 0) {
        *image = fuzz_image;
        return 1;
    }
    for (size_t i = 0; i < nentries; i++) {
        struct entry *e = &entries[i];
        if (strcmp(path, e->path) != 0) continue;
        if (use_fd) {
            *image = (struct pystatic_image){bundle_map + e->offset, e->size, bundle_fd, e->offset};
        } else {
            if (!e->copy) {
                e->copy = malloc(e->size);
                memcpy(e->copy, bundle_map + e->offset, e->size);
            }
            *image = (struct pystatic_image){e->copy, e->size, -1, 0};
        }
        return 1;
    }
    return 0;
}

/* ---- the same files as a tree, for native code's path functions (runtime/native_files.c) ---- */
int pystatic_tree_lookup(const char *normalized, struct pystatic_tree_entry *entry) {
    const size_t root = strlen(E "/"), size = strlen(normalized);
    if (strncmp(normalized, E "/", root) != 0) return 0;
    for (size_t i = 0; i < nentries; i++)
        if (strcmp(entries[i].path, normalized) == 0) {
            *entry = (struct pystatic_tree_entry){PYSTATIC_TREE_FILE, i + 1, entries[i].size, root - 1, &entries[i], 0};
            return 1;
        }
    for (size_t i = 0; i < nentries; i++)
        if (strncmp(entries[i].path, normalized, size) == 0 && entries[i].path[size] == '/') {
            *entry = (struct pystatic_tree_entry){PYSTATIC_TREE_DIR, 1000 + size, 0, root - 1, NULL, 0};
            return 1;
        }
    return -1;
}

void pystatic_tree_release(void *owned) { free(owned); }

/* NL_MODE=memory: a malloc'd copy, as the runtime gives a compressed file's bytes. */
int pystatic_tree_read(const struct pystatic_tree_entry *entry, const void **data, void **owned) {
    const struct entry *e = entry->record;
    *owned = NULL;
    *data = bundle_map + e->offset;
    if (!use_fd) {
        if ((*owned = malloc(e->size ? e->size : 1)) == NULL) return -1;
        memcpy(*owned, *data, e->size);
        *data = *owned;
    }
    return 0;
}

void *open_ok(const char *path, int flags) {
    void *h = dlopen(path, flags);
    CHECK(h, "dlopen %s: %s", path, dlerror());
    return h;
}

void *sym_ok(void *handle, const char *name) {
    void *p = dlsym(handle, name);
    CHECK(p, "dlsym %s: %s", name, dlerror());
    return p;
}

void expect_error(const char *path, const char *part1, const char *part2) {
    void *h = dlopen(path, RTLD_NOW);
    CHECK(!h, "dlopen %s unexpectedly succeeded", path);
    const char *e = dlerror();
    CHECK(e && strstr(e, part1) && strstr(e, part2), "error for %s: %s", path, e ? e : "(none)");
    CHECK(dlerror() == NULL, "dlerror must clear the message");
    printf("error: %s\n", e);
}

