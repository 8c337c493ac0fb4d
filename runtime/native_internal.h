/* What the loader's files share: one loaded object (struct native_object) and the functions each
 * file offers the others. Not part of the runtime's contract (native_loader.h). */
#ifndef PYSTATIC_NATIVE_INTERNAL_H
#define PYSTATIC_NATIVE_INTERNAL_H

#include "native_loader.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#else
#error "the native loader supports x86_64 and aarch64"
#endif

struct native_object {
    char *path;             /* normalized absolute path (or the disk path given) */
    const char *soname;     /* DT_SONAME, or NULL */
    const char *basename;   /* last component of path */
    unsigned char *base;    /* load bias: run-time address = base + p_vaddr */
    unsigned char *map;     /* the reserved span (never unmapped once published) */
    size_t map_size;
    const Elf64_Phdr *phdr; /* program headers in memory (mapped, or a copy) */
    size_t phnum;
    Elf64_Phdr *loads;      /* copy of the PT_LOAD headers, for bounds checks */
    size_t nloads;
    Elf64_Dyn *dynamic;     /* validated copy of the dynamic section */
    uint64_t dynv[DT_RELRENT + 1]; /* values of the tags below DT_NUM-ish (vaddrs unrelocated) */
    uint64_t dyn_present;   /* bit per tag of dynv */
    uint64_t gnu_hash_vaddr;
    const char *strtab;
    size_t strsz;
    const Elf64_Sym *symtab;
    size_t nsyms;           /* from the hash table: symbol indexes are checked against it */
    const uint32_t *sysv_hash;
    const uint32_t *gnu_hash;
    struct native_object **deps; /* DT_NEEDED order, NULL-terminated; provided libraries skipped */
    size_t ndeps;
    /* TLS (PT_TLS), tls_id 0 = none */
    size_t tls_id;
    const void *tls_image;
    size_t tls_filesz, tls_memsz, tls_align;
    uint64_t relro_start, relro_end;
    uint64_t flags, flags_1;
    int file_backed;
    int global;             /* RTLD_GLOBAL */
    int refcount;
    int init_state;         /* 0 not started, 1 running, 2 done */
    size_t relocations;     /* count, for the trace */
    double load_us;         /* for the trace */
    struct native_object *next;     /* load order (published list) */
    struct native_object *pending;  /* objects of the dlopen in progress */
    int mark;               /* scratch for closure walks, under the loader lock */
};

/* native_loader.c */
void native_lock(void);                       /* recursive: initializers may call dlopen */
void native_unlock(void);
extern struct native_object native_executable; /* the executable: symbols = pystatic_exports */
extern struct native_object *native_first;   /* published objects, load order */
extern _Atomic size_t native_count;          /* published count (release store) */
extern _Atomic size_t native_ever_loaded;    /* dlpi_adds */
extern int native_trace;
struct native_object *native_open(const char *name, int flags);
/* Absolute path (malloc'd) with ".", ".." and repeated '/' resolved lexically (no symlinks: embedded
 * files have none); relative to the working directory. NULL if out of memory. */
char *native_normalize(const char *path);
void native_trace_line(const char *format, ...);
struct native_object **native_closure(struct native_object *root); /* BFS, root first, malloc'ed */

/* native_init.c */
int native_check_initializers(struct native_object *o);
void native_run_initializers(struct native_object *root);

/* native_map.c */
#define NATIVE_IN_FILE 0x100 /* need_flags: inside the segment's file bytes, not its bss */
int native_contains(const struct native_object *o, uint64_t vaddr, uint64_t size, int need_flags);
int native_validate(struct native_object *o, const struct pystatic_image *image);
int native_map(struct native_object *o, const struct pystatic_image *image);
void native_unmap(struct native_object *o);
int native_has(const struct native_object *o, int tag);

/* native_relocate.c */
struct native_symbol {
    struct native_object *object; /* NULL: the executable's export table or the loader itself */
    const Elf64_Sym *sym;         /* NULL for exports */
    uintptr_t value;              /* address (TLS: offset in the object's block) */
};
int native_find_in_object(struct native_object *o, const char *name, uint32_t gnu, uint32_t sysv,
                          struct native_symbol *out);
int native_find_export(const char *name, uintptr_t *value);
int native_find_in_scope(struct native_object *const *scope, const char *name, struct native_symbol *out);
int native_lookup(struct native_object *const *scope, const char *name, struct native_symbol *out);
int native_relocate(struct native_object *o, struct native_object *const *scope);
int native_count_symbols(struct native_object *o);
uintptr_t native_call_ifunc(uintptr_t resolver);

/* native_tls.c */
size_t native_tls_register(struct native_object *o);
void *pystatic_tls_get_addr(size_t *v);
void *native_tls_block_if_allocated(size_t id);
void *native_tlsdesc_argument(size_t id, uint64_t offset);
extern char pystatic_tlsdesc_dynamic[]; /* the TLSDESC resolver (assembly) */
void *pystatic_tlsdesc_slow(const size_t *argument); /* its slow path, called from the assembly */

/* native_files.c: the C library's path functions as loaded objects bind them (the file view). */
int pystatic_native_open(const char *path, int flags, ...);
int pystatic_native_openat(int dirfd, const char *path, int flags, ...);
FILE *pystatic_native_fopen(const char *restrict path, const char *restrict mode);
int pystatic_native_stat(const char *restrict path, struct stat *restrict st);
int pystatic_native_lstat(const char *restrict path, struct stat *restrict st);
int pystatic_native_fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flag);
int pystatic_native_access(const char *path, int amode);
int pystatic_native_faccessat(int dirfd, const char *path, int amode, int flag);
ssize_t pystatic_native_readlink(const char *restrict path, char *restrict buffer, size_t size);
char *pystatic_native_realpath(const char *restrict path, char *restrict resolved);

/* native_dl_api.c */
void native_set_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
