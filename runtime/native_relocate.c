/* Symbol lookup (GNU and SysV hash tables, the executable's export table, the loader's own
 * functions) and relocation (RELA, JMPREL bound immediately, DT_RELR) of one loaded object.
 *
 * Symbol versions are ignored, as musl's ld.so does: wheels version only references to their own
 * bundled libraries. Every index and address a table gives is checked before it is followed. */
#define _GNU_SOURCE
#include "native_internal.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static uint32_t sysv_hash(const char *s) {
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h = (h << 4) + *p;
        h ^= (h >> 24) & 0xf0;
    }
    return h & 0x0fffffff;
}

static uint32_t gnu_hash(const char *s) {
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) h = h * 33 + *p;
    return h;
}

/* Symbol count of a SysV hash table (its nchain), 0 when the table is damaged. */
static uint64_t sysv_count(const struct native_object *o, int r) {
    uint64_t nbucket = o->sysv_hash[0], nchain = o->sysv_hash[1];
    if (nbucket == 0 || !native_contains(o, o->dynv[DT_HASH], 8 + 4 * (nbucket + nchain), r)) return 0;
    return nchain;
}

/* Symbol count of a GNU hash table (end of the last chain), 0 when the table is damaged. */
static uint64_t gnu_count(const struct native_object *o, int r) {
    const uint32_t *g = o->gnu_hash;
    uint64_t nbuckets = g[0], symoffset = g[1], bloom = g[2];
    if (nbuckets == 0 || bloom == 0 || g[3] >= 32 || !native_contains(o, o->gnu_hash_vaddr, 16 + 8 * bloom + 4 * nbuckets, r))
        return 0;
    const uint32_t *buckets = g + 4 + 2 * bloom, *chain = buckets + nbuckets;
    uint64_t last = 0;
    for (uint64_t i = 0; i < nbuckets; i++)
        if (buckets[i] > last) last = buckets[i];
    if (last == 0) return symoffset ? symoffset : 1;
    if (last < symoffset) return 0;
    uint64_t chain_vaddr = o->gnu_hash_vaddr + 16 + 8 * bloom + 4 * nbuckets;
    for (;; last++) {
        if (!native_contains(o, chain_vaddr + 4 * (last - symoffset), 4, r)) return 0;
        if (chain[last - symoffset] & 1) break;
    }
    if (!native_contains(o, chain_vaddr, 4 * (last + 1 - symoffset), r)) return 0; /* in one piece */
    return last + 1;
}

/* Sets o->nsyms from the hash tables (the smaller count when there are both: every lookup,
 * whichever table it walks, stays below it), checking the tables lie in the loaded bytes. */
int native_count_symbols(struct native_object *o) {
    const int r = PF_R | NATIVE_IN_FILE;
    uint64_t count = UINT64_MAX;
    if (o->sysv_hash) count = sysv_count(o, r);
    if (o->gnu_hash) {
        uint64_t g = gnu_count(o, r);
        if (g < count) count = g;
    }
    o->nsyms = count;
    if (count == 0 || count > (1u << 24) || !native_contains(o, o->dynv[DT_SYMTAB], count * sizeof(Elf64_Sym), r)) {
        native_set_error("%s: damaged symbol hash table", o->path);
        return 0;
    }
    return 1;
}

uintptr_t native_call_ifunc(uintptr_t resolver) {
#if defined(__aarch64__)
    /* The aarch64 ABI passes (hwcap | _IFUNC_ARG_HWCAP, &struct {size, hwcap, hwcap2}). */
    static struct { unsigned long size, hwcap, hwcap2; } arg;
    arg.size = sizeof arg;
    arg.hwcap = getauxval(AT_HWCAP);
    arg.hwcap2 = getauxval(AT_HWCAP2);
    return ((uintptr_t(*)(unsigned long, void *))resolver)(arg.hwcap | (1UL << 62), &arg);
#else
    return ((uintptr_t(*)(void))resolver)();
#endif
}

static int symbol_matches(const struct native_object *o, const Elf64_Sym *sym, const char *name) {
    unsigned type = ELF64_ST_TYPE(sym->st_info), bind = ELF64_ST_BIND(sym->st_info);
    if (sym->st_shndx == SHN_UNDEF || sym->st_name >= o->strsz) return 0;
    if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) return 0;
    if (type != STT_NOTYPE && type != STT_OBJECT && type != STT_FUNC && type != STT_TLS && type != STT_GNU_IFUNC)
        return 0;
    if (sym->st_value == 0 && type != STT_TLS) return 0;
    return strcmp(o->strtab + sym->st_name, name) == 0;
}

static int found(struct native_object *o, const Elf64_Sym *sym, struct native_symbol *out) {
    out->object = o;
    out->sym = sym;
    if (ELF64_ST_TYPE(sym->st_info) == STT_TLS) {
        out->value = sym->st_value;
    } else if (ELF64_ST_TYPE(sym->st_info) == STT_GNU_IFUNC) {
        if (!native_contains(o, sym->st_value, 1, PF_X)) return 0;
        out->value = native_call_ifunc((uintptr_t)o->base + sym->st_value);
    } else {
        out->value = (uintptr_t)o->base + sym->st_value;
    }
    return 1;
}

int native_find_in_object(struct native_object *o, const char *name, uint32_t gh, uint32_t sh,
                          struct native_symbol *out) {
    if (o->gnu_hash) {
        const uint32_t *g = o->gnu_hash;
        uint32_t nbuckets = g[0], symoffset = g[1], bloom_size = g[2], shift = g[3] & 31;
        const uint64_t *bloom = (const uint64_t *)(g + 4);
        uint64_t word = bloom[(gh / 64) % bloom_size];
        uint64_t mask = ((uint64_t)1 << (gh % 64)) | ((uint64_t)1 << ((gh >> shift) % 64));
        if ((word & mask) != mask) return 0;
        const uint32_t *buckets = g + 4 + 2 * bloom_size, *chain = buckets + nbuckets;
        uint32_t i = buckets[gh % nbuckets];
        if (i == 0 || i < symoffset) return 0;
        for (; i < o->nsyms; i++) {
            uint32_t h = chain[i - symoffset];
            if ((h | 1) == (gh | 1) && symbol_matches(o, &o->symtab[i], name)) return found(o, &o->symtab[i], out);
            if (h & 1) break;
        }
        return 0;
    }
    const uint32_t *h = o->sysv_hash;
    uint32_t nbucket = h[0], nchain = h[1];
    const uint32_t *bucket = h + 2, *chain = bucket + nbucket;
    uint32_t steps = 0;
    for (uint32_t i = bucket[sh % nbucket]; i && i < o->nsyms && steps < nchain; i = chain[i], steps++)
        if (symbol_matches(o, &o->symtab[i], name)) return found(o, &o->symtab[i], out);
    return 0;
}

int native_find_export(const char *name, uintptr_t *value) {
    static _Atomic size_t count; /* computed once; every thread computes the same value */
    size_t lo = 0, hi = atomic_load_explicit(&count, memory_order_relaxed);
    if (hi == 0) {
        while (pystatic_exports[hi].name) hi++;
        atomic_store_explicit(&count, hi, memory_order_relaxed);
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, pystatic_exports[mid].name);
        if (c == 0) { /* NULL: a weak reference of the executable nobody defined: not a definition */
            *value = (uintptr_t)pystatic_exports[mid].address;
            return *value != 0;
        }
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return 0;
}

/* Functions of the loader itself that loaded objects must bind to instead of libc's. */
static const struct { const char *name; void *address; } overrides[] = {
    {"__tls_get_addr", (void *)pystatic_tls_get_addr},
    {"dl_iterate_phdr", (void *)dl_iterate_phdr},
    {"dladdr", (void *)dladdr},
    {"dlclose", (void *)dlclose},
    {"dlerror", (void *)dlerror},
    {"dlopen", (void *)dlopen},
    {"dlsym", (void *)dlsym},
    /* The file view for native code (native_files.c): paths below the executable. */
    {"access", (void *)pystatic_native_access},
    {"faccessat", (void *)pystatic_native_faccessat},
    {"fopen", (void *)pystatic_native_fopen},
    {"fstatat", (void *)pystatic_native_fstatat},
    {"lstat", (void *)pystatic_native_lstat},
    {"open", (void *)pystatic_native_open},
    {"openat", (void *)pystatic_native_openat},
    {"readlink", (void *)pystatic_native_readlink},
    {"realpath", (void *)pystatic_native_realpath},
    {"stat", (void *)pystatic_native_stat},
};

/* The lookup order of a relocation: the loader's overrides, the executable's exports, the
 * RTLD_GLOBAL objects, then scope (the dlopen'ed object's dependency closure, breadth first). */
int native_lookup(struct native_object *const *scope, const char *name, struct native_symbol *out) {
    for (size_t i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
        if (strcmp(name, overrides[i].name) == 0) {
            *out = (struct native_symbol){NULL, NULL, (uintptr_t)overrides[i].address};
            return 1;
        }
    uintptr_t value;
    if (native_find_export(name, &value)) {
        *out = (struct native_symbol){NULL, NULL, value};
        return 1;
    }
    uint32_t gh = gnu_hash(name), sh = sysv_hash(name);
    size_t n = atomic_load_explicit(&native_count, memory_order_acquire);
    struct native_object *o = native_first;
    for (size_t i = 0; i < n; i++, o = o->next)
        if (o->global && native_find_in_object(o, name, gh, sh, out)) return 1;
    for (; scope && *scope; scope++)
        if (native_find_in_object(*scope, name, gh, sh, out)) return 1;
    return 0;
}

int native_find_in_scope(struct native_object *const *scope, const char *name, struct native_symbol *out) {
    uint32_t gh = gnu_hash(name), sh = sysv_hash(name);
    for (; scope && *scope; scope++)
        if (native_find_in_object(*scope, name, gh, sh, out)) return 1;
    return 0;
}

#if defined(__x86_64__)
enum { T_NONE = R_X86_64_NONE, T_ABS = R_X86_64_64, T_GLOB = R_X86_64_GLOB_DAT, T_JUMP = R_X86_64_JUMP_SLOT,
       T_RELATIVE = R_X86_64_RELATIVE, T_DTPMOD = R_X86_64_DTPMOD64, T_DTPOFF = R_X86_64_DTPOFF64,
       T_TPOFF = R_X86_64_TPOFF64, T_TLSDESC = 36, T_IRELATIVE = 37, T_COPY = R_X86_64_COPY };
#define TPOFF_NAME "R_X86_64_TPOFF64"
#else
enum { T_NONE = 0, T_ABS = 257, T_COPY = 1024, T_GLOB = 1025, T_JUMP = 1026, T_RELATIVE = 1027, T_DTPMOD = 1028,
       T_DTPOFF = 1029, T_TPOFF = 1030, T_TLSDESC = 1031, T_IRELATIVE = 1032 };
#define TPOFF_NAME "R_AARCH64_TLS_TPREL64"
#endif

static void store(unsigned char *where, uint64_t value) { memcpy(where, &value, sizeof value); }

/* The symbol a relocation names: itself when local, else through the lookup order. Weak and
 * unresolved: value 0 (ok = 1, object NULL). */
static int resolve(struct native_object *o, struct native_object *const *scope, uint32_t index,
                   struct native_symbol *out) {
    if (index >= o->nsyms) {
        native_set_error("%s: a relocation names symbol %u of %zu", o->path, index, o->nsyms);
        return 0;
    }
    const Elf64_Sym *sym = &o->symtab[index];
    if (sym->st_name >= o->strsz) {
        native_set_error("%s: a symbol's name lies outside the string table", o->path);
        return 0;
    }
    const char *name = o->strtab + sym->st_name;
    if (ELF64_ST_BIND(sym->st_info) == STB_LOCAL) {
        if (sym->st_shndx != SHN_UNDEF && found(o, sym, out)) return 1;
    } else if (native_lookup(scope, name, out)) {
        return 1;
    }
    if (ELF64_ST_BIND(sym->st_info) == STB_WEAK) {
        *out = (struct native_symbol){NULL, NULL, 0};
        return 1;
    }
    if (native_trace) native_trace_line("lookup failed: %s (needed by %s)", name, o->path);
    native_set_error("%s: undefined symbol %s", o->path, name);
    return 0;
}

static int relocate_table(struct native_object *o, struct native_object *const *scope, const Elf64_Rela *rela,
                          size_t count) {
    uint32_t cached_index = 0;
    struct native_symbol def = {0}, cached = {0};
    for (size_t i = 0; i < count; i++) {
        uint32_t type = (uint32_t)ELF64_R_TYPE(rela[i].r_info), index = (uint32_t)ELF64_R_SYM(rela[i].r_info);
        uint64_t addend = (uint64_t)rela[i].r_addend;
        unsigned char *where = o->base + rela[i].r_offset;
        if (type == T_NONE) continue;
        if (!native_contains(o, rela[i].r_offset, 8, PF_W)) {
            native_set_error("%s: a relocation writes outside the writable segments", o->path);
            return 0;
        }
        if (type == T_COPY) {
            native_set_error("%s: has a COPY relocation (an executable's, not a shared object's)", o->path);
            return 0;
        }
        if (type == T_TPOFF) {
            native_set_error("%s: has an initial-exec TLS relocation (" TPOFF_NAME "), impossible in a "
                             "dynamically loaded object", o->path);
            return 0;
        }
        if (index == 0) {
            def = (struct native_symbol){o, NULL, 0};
        } else if (index == cached_index) {
            def = cached;
        } else {
            if (!resolve(o, scope, index, &def)) return 0;
            cached_index = index;
            cached = def;
        }
        switch (type) {
        case T_ABS: case T_GLOB: case T_JUMP: store(where, def.value + addend); break;
        case T_RELATIVE: store(where, (uint64_t)(uintptr_t)o->base + addend); break;
        case T_IRELATIVE:
            if (!native_contains(o, addend, 1, PF_X)) {
                native_set_error("%s: an IRELATIVE resolver lies outside the code", o->path);
                return 0;
            }
            store(where, native_call_ifunc((uintptr_t)o->base + addend));
            break;
        case T_DTPMOD: case T_DTPOFF: case T_TLSDESC: {
            struct native_object *owner = index ? def.object : o; /* NULL: the executable, or weak and absent */
            if (!owner || !owner->tls_id) {
                native_set_error("%s: a TLS relocation names a symbol without a TLS block in a loaded object "
                                 "(the executable's TLS cannot be shared)", o->path);
                return 0;
            }
            uint64_t offset = (index ? def.value : 0) + addend;
            if (type == T_DTPMOD) store(where, owner->tls_id);
            else if (type == T_DTPOFF) store(where, offset);
            else {
                void *arg = native_tlsdesc_argument(owner->tls_id, offset);
                if (!arg) {
                    native_set_error("%s: out of memory for a TLS descriptor", o->path);
                    return 0;
                }
                store(where, (uint64_t)(uintptr_t)pystatic_tlsdesc_dynamic);
                store(where + 8, (uint64_t)(uintptr_t)arg);
            }
            break;
        }
        default:
            native_set_error("%s: unknown relocation type %u", o->path, type);
            return 0;
        }
        o->relocations++;
    }
    return 1;
}

/* DT_RELR: even entries are addresses, odd entries bitmaps of the 63 words that follow. */
static int relocate_relr(struct native_object *o) {
    const uint64_t *relr = (const uint64_t *)(o->base + o->dynv[DT_RELR]);
    size_t count = o->dynv[DT_RELRSZ] / 8;
    uint64_t where = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t entry = relr[i];
        for (uint64_t bit = 0, bits = entry & 1 ? entry >> 1 : 1; bits; bits >>= 1, bit++) {
            if (!(bits & 1)) continue;
            uint64_t vaddr = (entry & 1 ? where + 8 * bit : entry);
            if (!native_contains(o, vaddr, 8, PF_W)) {
                native_set_error("%s: a DT_RELR relocation writes outside the writable segments", o->path);
                return 0;
            }
            uint64_t value;
            memcpy(&value, o->base + vaddr, 8);
            store(o->base + vaddr, value + (uint64_t)(uintptr_t)o->base);
            o->relocations++;
        }
        where = entry & 1 ? where + 63 * 8 : entry + 8;
    }
    return 1;
}

int native_relocate(struct native_object *o, struct native_object *const *scope) {
    if (native_has(o, DT_RELR) && !relocate_relr(o)) return 0;
    if (native_has(o, DT_RELA) &&
        !relocate_table(o, scope, (const Elf64_Rela *)(o->base + o->dynv[DT_RELA]), o->dynv[DT_RELASZ] / sizeof(Elf64_Rela)))
        return 0;
    if (native_has(o, DT_JMPREL) &&
        !relocate_table(o, scope, (const Elf64_Rela *)(o->base + o->dynv[DT_JMPREL]),
                        o->dynv[DT_PLTRELSZ] / sizeof(Elf64_Rela)))
        return 0;
    return 1;
}
