/* Loading: finding an object's bytes (embedded in the executable, else on disk), its DT_NEEDED
 * closure, relocation, publication and initializers/finalizers.
 *
 * A dlopen loads its new objects into a private pending list, breadth first (each registered
 * before its own dependencies are looked for: libfreetype and libharfbuzz need each other). Only
 * when all are mapped and relocated are they published, in load order, to the list that
 * dl_iterate_phdr, dladdr and lookups read without the lock; a failure unmaps the pending ones.
 * Published objects are never removed (dlclose only counts): CPython never unloads extension
 * modules and unwinders keep pointers to the frame tables they found. */
#define _GNU_SOURCE
#include "native_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct native_object native_executable = {.path = "", .basename = "", .refcount = 1, .init_state = 2};
struct native_object *native_first;
static struct native_object *native_last;
_Atomic size_t native_count;
_Atomic size_t native_ever_loaded;
int native_trace;

static pthread_mutex_t lock;
static pthread_once_t lock_once = PTHREAD_ONCE_INIT;

static void make_lock(void) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&lock, &attr);
    pthread_mutexattr_destroy(&attr);
}

/* fork() while another thread loads would leave the child's lock held forever: hold it across
 * fork, then the child starts a fresh one (its only thread is not the owner musl recorded). */
static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&lock); }
static void after_fork_child(void) { make_lock(); }

static void init_lock(void) {
    make_lock();
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    const char *trace = getenv("PYSTATIC_TRACE_NATIVE");
    native_trace = trace && *trace && strcmp(trace, "0") != 0;
}
void native_lock(void) {
    pthread_once(&lock_once, init_lock);
    pthread_mutex_lock(&lock);
}
void native_unlock(void) { pthread_mutex_unlock(&lock); }

void native_trace_line(const char *format, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(line, sizeof line - 1, format, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    write(2, "pystatic native: ", 17);
    write(2, line, (size_t)n);
}

static const char *const libc_names[] = {"libc.so", "libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1",
                                         "libpthread.so.0", "libdl.so.2", "libm.so.6", "librt.so.1",
                                         "libutil.so.1", "libcrypt.so.1", "libresolv.so.2", NULL};

/* musl's libc is one library, and the executable holds it. */
static int is_libc(const char *name) {
    if (strncmp(name, "ld-musl-", 8) == 0 && strstr(name, ".so.1")) return 1;
    for (const char *const *p = libc_names; *p; p++)
        if (strcmp(name, *p) == 0) return 1;
    return 0;
}

/* Other DT_NEEDED names the executable answers for (generated list, e.g. libz.so.1). */
static int is_provided(const char *name) {
    if (is_libc(name)) return 1;
    for (const char *const *p = pystatic_provided_libraries; *p; p++)
        if (strcmp(name, *p) == 0) return 1;
    return 0;
}

char *native_normalize(const char *path) {
    char cwd[4096];
    size_t prefix = 0;
    if (path[0] != '/') {
        if (!getcwd(cwd, sizeof cwd)) return NULL;
        prefix = strlen(cwd);
    }
    char *out = malloc(prefix + strlen(path) + 3);
    if (!out) return NULL;
    size_t n = 0;
    char *joined = malloc(prefix + strlen(path) + 2);
    if (!joined) return free(out), NULL;
    sprintf(joined, "%.*s/%s", (int)prefix, cwd, path);
    for (char *p = joined; *p;) {
        while (*p == '/') p++;
        char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 0 && out[--n] != '/') {}
        } else {
            out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
        }
        p = end;
    }
    if (n == 0) out[n++] = '/';
    out[n] = '\0';
    free(joined);
    return out;
}

static struct native_object *find_loaded(const char *path, const char *soname, struct native_object *pending) {
    size_t n = atomic_load_explicit(&native_count, memory_order_relaxed);
    struct native_object *o = native_first;
    for (size_t i = 0; i < n; i++, o = o->next)
        if ((path && strcmp(o->path, path) == 0) || (soname && o->soname && strcmp(o->soname, soname) == 0))
            return o;
    for (o = pending; o; o = o->pending)
        if ((path && strcmp(o->path, path) == 0) || (soname && o->soname && strcmp(o->soname, soname) == 0))
            return o;
    return NULL;
}

/* The bytes at path: embedded in the executable, else a regular file on disk (mapped read-only,
 * fd kept so the segments can be mapped from it). 0 when there is no such file. */
static int find_image(const char *path, struct pystatic_image *image) {
    if (pystatic_embedded_image(path, image)) return 1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    void *data = MAP_FAILED;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
        close(fd);
        return 0;
    }
    *image = (struct pystatic_image){data, (size_t)st.st_size, fd, 0};
    return 2;
}

static void release_image(int kind, const struct pystatic_image *image) {
    if (kind != 2) return;
    munmap((void *)image->data, image->size);
    close(image->fd);
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Validates and maps one object, appending it to *pending (or returns the already-loaded object
 * with the same DT_SONAME). NULL with the error set on failure. */
static struct native_object *load_one(char *path, struct native_object **pending, struct native_object **tail) {
    struct pystatic_image image;
    double start = native_trace ? now_us() : 0;
    int kind = find_image(path, &image);
    if (!kind) {
        native_set_error("%s: no such embedded file or file on disk", path);
        free(path);
        return NULL;
    }
    struct native_object *o = calloc(1, sizeof *o);
    if (!o) return free(path), native_set_error("%s: out of memory", path), NULL;
    o->path = path;
    o->basename = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (!native_validate(o, &image)) goto fail;
    struct native_object *same = o->soname ? find_loaded(NULL, o->soname, *pending) : NULL;
    if (same) { /* e.g. an identical libgcc_s bundled by two wheels */
        release_image(kind, &image);
        native_unmap(o);
        return same;
    }
    if (!native_map(o, &image) || !native_count_symbols(o)) goto fail;
    if (kind == 2) munmap((void *)image.data, image.size); /* the segments keep the file mapped */
    if (kind == 2) close(image.fd);
    o->load_us = native_trace ? now_us() - start : 0;
    if (*tail) (*tail)->pending = o;
    else *pending = o;
    *tail = o;
    return o;
fail:
    release_image(kind, &image);
    native_unmap(o);
    return NULL;
}

/* DT_NEEDED name → object: libc, DT_RUNPATH (else DT_RPATH) with $ORIGIN, loaded DT_SONAMEs and
 * basenames, then the libraries the executable provides (&native_executable: not a dependency). */
static struct native_object *load_needed(struct native_object *o, const char *name, struct native_object **pending,
                                         struct native_object **tail) {
    if (is_libc(name)) return &native_executable;
    if (strchr(name, '/')) {
        char *path = native_normalize(name);
        struct native_object *found = path ? find_loaded(path, NULL, *pending) : NULL;
        if (found) return free(path), found;
        return path ? load_one(path, pending, tail) : NULL;
    }
    const char *search = native_has(o, DT_RUNPATH) ? o->strtab + o->dynv[DT_RUNPATH]
                         : native_has(o, DT_RPATH) ? o->strtab + o->dynv[DT_RPATH] : "";
    size_t origin_len = (size_t)(o->basename - o->path);
    while (*search) {
        const char *colon = strchrnul(search, ':');
        char dir[4096];
        size_t n = 0;
        for (const char *p = search; p < colon && n < sizeof dir - 1;) {
            size_t skip = strncmp(p, "$ORIGIN", 7) == 0 ? 7 : strncmp(p, "${ORIGIN}", 9) == 0 ? 9 : 0;
            if (skip && n + origin_len < sizeof dir - 1) {
                memcpy(dir + n, o->path, origin_len);
                n += origin_len;
                p += skip;
            } else {
                dir[n++] = *p++;
            }
        }
        dir[n] = '\0';
        search = *colon ? colon + 1 : colon;
        char candidate[4096 + 256];
        snprintf(candidate, sizeof candidate, "%s/%s", dir, name);
        char *path = native_normalize(candidate);
        if (!path) continue;
        struct native_object *found = find_loaded(path, NULL, *pending);
        struct pystatic_image image;
        int kind;
        if (found) return free(path), found;
        if ((kind = find_image(path, &image)) != 0) {
            release_image(kind, &image);
            return load_one(path, pending, tail);
        }
        free(path);
    }
    size_t count = atomic_load_explicit(&native_count, memory_order_relaxed);
    struct native_object *p = native_first;
    for (size_t i = 0; i < count; i++, p = p->next)
        if ((p->soname && strcmp(p->soname, name) == 0) || strcmp(p->basename, name) == 0) return p;
    for (p = *pending; p; p = p->pending)
        if ((p->soname && strcmp(p->soname, name) == 0) || strcmp(p->basename, name) == 0) return p;
    if (is_provided(name)) return &native_executable;
    native_set_error("%s: needed library %s not found (not embedded next to it, not loaded, not provided by "
                     "the executable)", o->path, name);
    return NULL;
}

static int load_dependencies(struct native_object *o, struct native_object **pending, struct native_object **tail) {
    size_t n = 0;
    for (const Elf64_Dyn *d = o->dynamic; d->d_tag != DT_NULL; d++) n += d->d_tag == DT_NEEDED;
    o->deps = calloc(n + 1, sizeof *o->deps);
    if (!o->deps) return native_set_error("%s: out of memory", o->path), 0;
    for (const Elf64_Dyn *d = o->dynamic; d->d_tag != DT_NULL; d++) {
        if (d->d_tag != DT_NEEDED) continue;
        struct native_object *dep = load_needed(o, o->strtab + d->d_un.d_val, pending, tail);
        if (!dep) return 0;
        if (dep != &native_executable) o->deps[o->ndeps++] = dep;
    }
    return 1;
}

/* The dependency closure of root, breadth first, root first, NULL-terminated (malloc'ed). */
struct native_object **native_closure(struct native_object *root) {
    size_t capacity = 16, n = 0;
    struct native_object **list = malloc(capacity * sizeof *list);
    if (!list) return NULL;
    list[n++] = root;
    root->mark = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < list[i]->ndeps; j++) {
            struct native_object *dep = list[i]->deps[j];
            if (dep->mark) continue;
            if (n + 2 > capacity) {
                struct native_object **bigger = realloc(list, (capacity *= 2) * sizeof *list);
                if (!bigger) return free(list), NULL;
                list = bigger;
            }
            dep->mark = 1;
            list[n++] = dep;
        }
    for (size_t i = 0; i < n; i++) list[i]->mark = 0;
    list[n] = NULL;
    return list;
}

static void publish(struct native_object *o) {
    if (native_last) native_last->next = o;
    else native_first = o;
    native_last = o;
    atomic_fetch_add_explicit(&native_ever_loaded, 1, memory_order_relaxed);
    atomic_store_explicit(&native_count, atomic_load_explicit(&native_count, memory_order_relaxed) + 1,
                          memory_order_release);
}

/* Everything after mapping, for the objects of one dlopen (in load order): TLS module ids,
 * relocation (dependencies first: reverse load order) against root's closure, RELRO. */
static int link_pending(struct native_object *root, struct native_object **list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (list[i]->tls_memsz && !native_tls_register(list[i]))
            return native_set_error("%s: out of memory for its TLS module", list[i]->path), 0;
    struct native_object **scope = native_closure(root);
    if (!scope) return native_set_error("%s: out of memory", root->path), 0;
    long page = sysconf(_SC_PAGESIZE);
    for (size_t i = n; i-- > 0;) {
        struct native_object *o = list[i];
        double start = native_trace ? now_us() : 0;
        if (!native_relocate(o, scope) || !native_check_initializers(o)) return free(scope), 0;
        uintptr_t lo = ((uintptr_t)o->base + o->relro_start) & -(uintptr_t)page;
        uintptr_t hi = ((uintptr_t)o->base + o->relro_end) & -(uintptr_t)page;
        if (o->relro_end > o->relro_start && hi > lo) mprotect((void *)lo, hi - lo, PROT_READ);
        o->load_us += native_trace ? now_us() - start : 0;
    }
    free(scope);
    return 1;
}

static struct native_object *open_loaded(struct native_object *o, int flags) {
    o->refcount++;
    if (flags & RTLD_GLOBAL) {
        struct native_object **scope = native_closure(o);
        for (size_t i = 0; scope && scope[i]; i++) scope[i]->global = 1;
        free(scope);
    }
    return o;
}

/* dlopen's work, under the loader lock. NULL with the error set on failure. */
struct native_object *native_open(const char *name, int flags) {
    if (!name) return &native_executable;
    if (!strchr(name, '/')) {
        if (is_provided(name)) return &native_executable;
        size_t count = atomic_load_explicit(&native_count, memory_order_relaxed);
        struct native_object *p = native_first;
        for (size_t i = 0; i < count; i++, p = p->next)
            if ((p->soname && strcmp(p->soname, name) == 0) || strcmp(p->basename, name) == 0)
                return open_loaded(p, flags);
        native_set_error("%s: not loaded (a name without '/' finds only an already loaded object)", name);
        return NULL;
    }
    char *path = native_normalize(name);
    if (!path) return native_set_error("%s: out of memory", name), NULL;
    if (native_executable.path[0] && strcmp(path, native_executable.path) == 0) return free(path), &native_executable;
    struct native_object *o = find_loaded(path, NULL, NULL);
    if (o) return free(path), open_loaded(o, flags);
    if (flags & RTLD_NOLOAD) {
        native_set_error("%s: not loaded (RTLD_NOLOAD)", path);
        return free(path), NULL;
    }
    struct native_object *pending = NULL, *tail = NULL;
    struct native_object *root = load_one(path, &pending, &tail);
    if (!root) return NULL;
    if (!pending) return open_loaded(root, flags); /* same DT_SONAME as a loaded object */
    size_t n = 0;
    for (o = pending; o; o = o->pending, n++)
        if (!load_dependencies(o, &pending, &tail)) goto fail;
    struct native_object **list = malloc(n * sizeof *list);
    if (!list) goto fail;
    n = 0;
    for (o = pending; o; o = o->pending) list[n++] = o;
    if (!link_pending(root, list, n)) {
        free(list);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        publish(list[i]);
        if (native_trace)
            native_trace_line("loaded %s (%s, %zu relocations, %.0f us)", list[i]->path,
                              list[i]->file_backed ? "file-backed" : "copied", list[i]->relocations, list[i]->load_us);
    }
    free(list);
    o = open_loaded(root, flags);
    native_run_initializers(root);
    return o;
fail:
    while (pending) {
        o = pending->pending;
        native_unmap(pending);
        pending = o;
    }
    return NULL;
}
