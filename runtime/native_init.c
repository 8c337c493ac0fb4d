/* Initializers and finalizers of loaded objects, and pystatic_loader_init.
 *
 * DT_INIT then DT_INIT_ARRAY, dependencies before dependents, each object once, called with
 * (argc, argv, envp) as glibc passes them (libbsd's initializer reads them). Finalizers run from
 * one atexit handler registered by pystatic_loader_init (before Python registers its own, so it
 * runs after them): for each object in reverse initialization order, DT_FINI_ARRAY backwards,
 * then DT_FINI. */
#define _GNU_SOURCE
#include "native_internal.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

static int saved_argc;
static char *empty_argv[] = {NULL};
static char **saved_argv = empty_argv, **saved_envp;
static struct native_object **finalizable; /* initialization order */
static size_t nfinalizable, finalizable_capacity;
static pthread_once_t atexit_once = PTHREAD_ONCE_INIT;

typedef void (*init_function)(int, char **, char **);
typedef void (*fini_function)(void);

/* 0 and -1 are the "nothing here" markers some toolchains leave in these arrays. */
static int is_entry(uint64_t value) { return value != 0 && value != (uint64_t)-1; }

/* After relocation, before anything runs: every initializer and finalizer points into the
 * object's own code (a damaged image must not make us jump anywhere else). */
int native_check_initializers(struct native_object *o) {
    static const int arrays[][2] = {{DT_INIT_ARRAY, DT_INIT_ARRAYSZ}, {DT_FINI_ARRAY, DT_FINI_ARRAYSZ}};
    for (size_t a = 0; a < 2; a++) {
        if (!native_has(o, arrays[a][0])) continue;
        const uint64_t *entries = (const uint64_t *)(o->base + o->dynv[arrays[a][0]]);
        for (size_t i = 0; i < o->dynv[arrays[a][1]] / 8; i++)
            if (is_entry(entries[i]) && !native_contains(o, entries[i] - (uint64_t)(uintptr_t)o->base, 1, PF_X)) {
                native_set_error("%s: an initializer or finalizer lies outside its code", o->path);
                return 0;
            }
    }
    return 1;
}

static void run_finalizers(void) {
    native_lock();
    while (nfinalizable > 0) {
        struct native_object *o = finalizable[--nfinalizable];
        if (native_has(o, DT_FINI_ARRAY)) {
            const uint64_t *entries = (const uint64_t *)(o->base + o->dynv[DT_FINI_ARRAY]);
            for (size_t i = o->dynv[DT_FINI_ARRAYSZ] / 8; i-- > 0;)
                if (is_entry(entries[i])) ((fini_function)(uintptr_t)entries[i])();
        }
        if (native_has(o, DT_FINI)) ((fini_function)(o->base + o->dynv[DT_FINI]))();
    }
    native_unlock();
}

static void register_atexit(void) { atexit(run_finalizers); }

static void initialize(struct native_object *o) {
    if (o->init_state) return; /* done, or running further up a DT_NEEDED cycle */
    o->init_state = 1;
    for (size_t i = 0; i < o->ndeps; i++) initialize(o->deps[i]);
    char **envp = saved_envp ? saved_envp : environ;
    if (native_has(o, DT_INIT)) ((init_function)(o->base + o->dynv[DT_INIT]))(saved_argc, saved_argv, envp);
    if (native_has(o, DT_INIT_ARRAY)) {
        const uint64_t *entries = (const uint64_t *)(o->base + o->dynv[DT_INIT_ARRAY]);
        for (size_t i = 0; i < o->dynv[DT_INIT_ARRAYSZ] / 8; i++)
            if (is_entry(entries[i])) ((init_function)(uintptr_t)entries[i])(saved_argc, saved_argv, envp);
    }
    o->init_state = 2;
    if (nfinalizable == finalizable_capacity) {
        size_t capacity = finalizable_capacity ? 2 * finalizable_capacity : 16;
        struct native_object **bigger = realloc(finalizable, capacity * sizeof *bigger);
        if (!bigger) return; /* its finalizers will not run: better than failing the import */
        finalizable = bigger;
        finalizable_capacity = capacity;
    }
    finalizable[nfinalizable++] = o;
}

/* Under the loader lock (recursive: an initializer may dlopen). */
void native_run_initializers(struct native_object *root) {
    pthread_once(&atexit_once, register_atexit);
    initialize(root);
}

void pystatic_loader_init(int argc, char **argv, char **envp, const char *executable_path) {
    native_lock();
    saved_argc = argc;
    saved_argv = argv ? argv : empty_argv;
    saved_envp = envp;
    if (executable_path) {
        char *path = strdup(executable_path);
        if (path) {
            native_executable.path = path;
            native_executable.basename = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        }
    }
    pthread_once(&atexit_once, register_atexit);
    native_unlock();
}
