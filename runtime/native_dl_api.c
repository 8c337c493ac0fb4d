/* dlopen, dlsym, dlclose, dlerror, dladdr, dl_iterate_phdr for a static musl executable.
 *
 * musl's libc.a has only weak stubs of these ("Dynamic loading not supported"; dl_iterate_phdr
 * reporting the executable alone): these strong definitions replace them at link time, so
 * CPython's dynload_shlib.c, ctypes and the unwinders of C++/Rust code work unchanged.
 * The list of loaded objects is append-only and published with a release store of its count, so
 * dl_iterate_phdr and dladdr read it without the lock (an unwinder may run while another thread
 * is inside dlopen). Handles are struct native_object pointers; dlclose only counts. */
#define _GNU_SOURCE
#include "native_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* dlerror's message: per thread, cleared by reading it. */
static __thread char error_message[512];
static __thread int error_pending;

void native_set_error(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(error_message, sizeof error_message, format, ap);
    va_end(ap);
    error_pending = 1;
    if (native_trace) native_trace_line("error: %s", error_message);
}

char *dlerror(void) {
    if (!error_pending) return NULL;
    error_pending = 0;
    return error_message;
}

static int valid_handle(void *handle) {
    if (handle == &native_executable) return 1;
    size_t n = atomic_load_explicit(&native_count, memory_order_acquire);
    struct native_object *o = native_first;
    for (size_t i = 0; i < n; i++, o = o->next)
        if (o == handle) return 1;
    native_set_error("invalid dynamic library handle %p", handle);
    return 0;
}

void *dlopen(const char *file, int mode) {
    native_lock();
    struct native_object *o = native_open(file, mode);
    native_unlock();
    return o;
}

int dlclose(void *handle) {
    native_lock();
    int ok = valid_handle(handle);
    if (ok && handle != &native_executable && ((struct native_object *)handle)->refcount > 0)
        ((struct native_object *)handle)->refcount--;
    native_unlock();
    return ok ? 0 : -1;
}

static void *symbol_address(const struct native_symbol *s) {
    if (s->object && s->sym && ELF64_ST_TYPE(s->sym->st_info) == STT_TLS) {
        size_t v[2] = {s->object->tls_id, s->value};
        return pystatic_tls_get_addr(v);
    }
    return (void *)s->value;
}

/* RTLD_DEFAULT: the loader's own functions and the export table, the RTLD_GLOBAL objects, then
 * every loaded object in load order. A handle: that object's dependency closure, then the export
 * table (every object needs libc, which the executable holds). The executable's handle: its
 * export table. */
void *dlsym(void *restrict handle, const char *restrict name) {
    struct native_symbol s;
    int ok = 0;
    native_lock();
    if (handle == RTLD_DEFAULT || handle == RTLD_NEXT) {
        ok = native_lookup(NULL, name, &s);
        size_t n = atomic_load_explicit(&native_count, memory_order_relaxed);
        struct native_object *o = native_first;
        for (size_t i = 0; !ok && i < n; i++, o = o->next) {
            struct native_object *one[] = {o, NULL};
            ok = native_find_in_scope(one, name, &s);
        }
    } else if (handle == &native_executable) {
        ok = native_find_export(name, &s.value);
        s.object = NULL;
        s.sym = NULL;
    } else if (valid_handle(handle)) {
        struct native_object **scope = native_closure(handle);
        ok = scope && native_find_in_scope(scope, name, &s);
        free(scope);
        if (!ok) { /* the closure's libc (and other provided libraries) are the executable's */
            ok = native_find_export(name, &s.value);
            s.object = NULL;
            s.sym = NULL;
        }
    } else {
        native_unlock();
        return NULL;
    }
    native_unlock();
    if (!ok) {
        if (native_trace) native_trace_line("dlsym failed: %s", name);
        const char *where = handle == RTLD_DEFAULT ? "RTLD_DEFAULT"
                            : handle == RTLD_NEXT  ? "RTLD_NEXT"
                            : handle == &native_executable ? "the executable"
                                                           : ((struct native_object *)handle)->path;
        native_set_error("%s: undefined symbol %s", where, name);
        return NULL;
    }
    return symbol_address(&s);
}

/* The executable's program headers and load bias (0 for a static non-PIE executable). */
static void executable_phdrs(const Elf64_Phdr **phdr, size_t *phnum, uintptr_t *bias) {
    *phdr = (const Elf64_Phdr *)getauxval(AT_PHDR);
    *phnum = getauxval(AT_PHNUM);
    *bias = 0;
    for (size_t i = 0; *phdr && i < *phnum; i++)
        if ((*phdr)[i].p_type == PT_PHDR) *bias = (uintptr_t)*phdr - (*phdr)[i].p_vaddr;
}

int dl_iterate_phdr(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data) {
    struct dl_phdr_info info;
    size_t n = atomic_load_explicit(&native_count, memory_order_acquire);
    size_t adds = 1 + atomic_load_explicit(&native_ever_loaded, memory_order_relaxed);
    const Elf64_Phdr *phdr;
    size_t phnum;
    uintptr_t bias;
    executable_phdrs(&phdr, &phnum, &bias);
    info = (struct dl_phdr_info){.dlpi_addr = bias, .dlpi_name = native_executable.path, .dlpi_phdr = phdr,
                                 .dlpi_phnum = (Elf64_Half)phnum, .dlpi_adds = adds, .dlpi_subs = 0};
    int result = callback(&info, sizeof info, data);
    struct native_object *o = native_first;
    for (size_t i = 0; result == 0 && i < n; i++, o = o->next) {
        info = (struct dl_phdr_info){.dlpi_addr = (uintptr_t)o->base, .dlpi_name = o->path, .dlpi_phdr = o->phdr,
                                     .dlpi_phnum = (Elf64_Half)o->phnum, .dlpi_adds = adds, .dlpi_subs = 0,
                                     .dlpi_tls_modid = o->tls_id,
                                     .dlpi_tls_data = o->tls_id ? native_tls_block_if_allocated(o->tls_id) : NULL};
        result = callback(&info, sizeof info, data);
    }
    return result;
}

/* The object holding addr, and the nearest defined symbol at or below it. */
int dladdr(const void *addr, Dl_info *info) {
    uintptr_t a = (uintptr_t)addr;
    size_t n = atomic_load_explicit(&native_count, memory_order_acquire);
    struct native_object *o = native_first;
    for (size_t i = 0; i < n; i++, o = o->next) {
        if (a < (uintptr_t)o->map || a >= (uintptr_t)o->map + o->map_size) continue;
        const Elf64_Sym *best = NULL;
        for (size_t k = 1; k < o->nsyms; k++) {
            const Elf64_Sym *s = &o->symtab[k];
            uintptr_t v = (uintptr_t)o->base + s->st_value;
            if (s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) == STT_TLS || s->st_name >= o->strsz ||
                v > a || (best && v <= (uintptr_t)o->base + best->st_value))
                continue;
            best = s;
        }
        *info = (Dl_info){.dli_fname = o->path, .dli_fbase = o->base,
                          .dli_sname = best ? o->strtab + best->st_name : NULL,
                          .dli_saddr = best ? o->base + best->st_value : NULL};
        return 1;
    }
    const Elf64_Phdr *phdr;
    size_t phnum;
    uintptr_t bias, lo = UINTPTR_MAX, hi = 0;
    executable_phdrs(&phdr, &phnum, &bias);
    for (size_t i = 0; phdr && i < phnum; i++)
        if (phdr[i].p_type == PT_LOAD) {
            if (bias + phdr[i].p_vaddr < lo) lo = bias + phdr[i].p_vaddr;
            if (bias + phdr[i].p_vaddr + phdr[i].p_memsz > hi) hi = bias + phdr[i].p_vaddr + phdr[i].p_memsz;
        }
    if (a < lo || a >= hi) return 0;
    const struct pystatic_export *best = NULL;
    for (const struct pystatic_export *e = pystatic_exports; e->name; e++)
        if ((uintptr_t)e->address <= a && e->address && (!best || e->address > best->address)) best = e;
    *info = (Dl_info){.dli_fname = native_executable.path, .dli_fbase = (void *)(lo & -(uintptr_t)getpagesize()),
                      .dli_sname = best ? best->name : NULL, .dli_saddr = best ? best->address : NULL};
    return 1;
}
