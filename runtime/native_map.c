/* Validating a shared object's bytes and mapping its segments.
 *
 * Everything an image says is checked against the image before it is used: a damaged or
 * truncated file must end in a dlerror() naming it, never in a fault. Segments are mapped
 * file-backed from the image's file when its offsets allow it (page cache shared, no writable+
 * executable step, works under PR_SET_MDWE / MemoryDenyWriteExecute), else copied into anonymous
 * memory and then given their protection. */
#define _GNU_SOURCE
#include "native_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_PHNUM 256
#define MAX_SPAN ((uint64_t)1 << 34)  /* 16 GiB of address space: anything larger is damage */
#define MAX_ALIGN ((uint64_t)1 << 24)
#define MAX_TLS ((uint64_t)1 << 26)

int native_has(const struct native_object *o, int tag) {
    return tag >= 0 && tag <= DT_RELRENT && (o->dyn_present >> tag & 1);
}

/* 1 when [vaddr, vaddr+size) lies inside one PT_LOAD whose p_flags include need_flags (and, with
 * NATIVE_IN_FILE, inside the bytes that segment takes from the file). */
int native_contains(const struct native_object *o, uint64_t vaddr, uint64_t size, int need_flags) {
    for (size_t i = 0; i < o->nloads; i++) {
        const Elf64_Phdr *p = &o->loads[i];
        uint64_t extent = (need_flags & NATIVE_IN_FILE) ? p->p_filesz : p->p_memsz;
        if (vaddr < p->p_vaddr || vaddr - p->p_vaddr > extent || size > extent - (vaddr - p->p_vaddr)) continue;
        if ((p->p_flags & need_flags & 7) == (uint64_t)(need_flags & 7)) return 1;
    }
    return 0;
}

/* The image's bytes at a virtual address (through the PT_LOAD holding them), before mapping. */
static const unsigned char *image_at(const struct native_object *o, const struct pystatic_image *image,
                                     uint64_t vaddr, uint64_t size) {
    for (size_t i = 0; i < o->nloads; i++) {
        const Elf64_Phdr *p = &o->loads[i];
        if (vaddr < p->p_vaddr || vaddr - p->p_vaddr > p->p_filesz || size > p->p_filesz - (vaddr - p->p_vaddr))
            continue;
        return image->data + p->p_offset + (vaddr - p->p_vaddr);
    }
    return NULL;
}

static int fail(const struct native_object *o, const char *reason) {
    native_set_error("%s: %s", o->path, reason);
    return 0;
}

static int is_pow2(uint64_t v) { return (v & (v - 1)) == 0; }

static int validate_phdrs(struct native_object *o, const struct pystatic_image *image, const Elf64_Phdr *ph,
                          size_t phnum, const Elf64_Phdr **dynamic) {
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    o->loads = calloc(phnum, sizeof *o->loads);
    if (!o->loads) return fail(o, "out of memory");
    uint64_t end = 0;
    for (size_t i = 0; i < phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type == PT_LOAD || p->p_type == PT_DYNAMIC || p->p_type == PT_TLS) {
            if (p->p_offset > image->size || p->p_filesz > image->size - p->p_offset)
                return fail(o, "a segment lies outside the file (truncated?)");
            if (p->p_filesz > p->p_memsz || p->p_memsz > MAX_SPAN || p->p_vaddr > MAX_SPAN)
                return fail(o, "a segment has an impossible size or address");
            if (!is_pow2(p->p_align) || p->p_align > MAX_ALIGN) return fail(o, "a segment has a bad p_align");
        }
        if (p->p_type == PT_LOAD) {
            if (p->p_vaddr < end) return fail(o, "PT_LOAD segments overlap or are not sorted");
            /* A page holds one protection: linkers never let segments with different ones share it. */
            if (o->nloads && (end + page - 1) / page > p->p_vaddr / page && o->loads[o->nloads - 1].p_flags != p->p_flags)
                return fail(o, "PT_LOAD segments with different permissions share a page");
            end = p->p_vaddr + p->p_memsz;
            o->loads[o->nloads++] = *p;
        } else if (p->p_type == PT_DYNAMIC) {
            *dynamic = p;
        } else if (p->p_type == PT_TLS) {
            if (p->p_align == 0) return fail(o, "PT_TLS has no alignment");
            if (p->p_memsz > MAX_TLS) return fail(o, "PT_TLS is larger than 64 MiB per thread");
            o->tls_filesz = p->p_filesz;
            o->tls_memsz = p->p_memsz;
            o->tls_align = p->p_align;
            o->tls_image = (const void *)(uintptr_t)p->p_vaddr; /* relocated in native_map */
        } else if (p->p_type == PT_GNU_RELRO) {
            o->relro_start = p->p_vaddr;
            o->relro_end = p->p_vaddr + p->p_memsz;
        }
    }
    if (o->nloads == 0) return fail(o, "no PT_LOAD segment");
    if (!*dynamic) return fail(o, "no PT_DYNAMIC segment (not a shared object?)");
    if ((*dynamic)->p_offset % 8) return fail(o, "PT_DYNAMIC is misaligned");
    /* A PT_TLS of .tbss only (no initialized thread-local data) has no image to copy: lld may place
     * it between two PT_LOADs (pyarrow's libarrow_compute). */
    if (o->tls_filesz && !native_contains(o, (uint64_t)(uintptr_t)o->tls_image, o->tls_filesz, NATIVE_IN_FILE))
        return fail(o, "PT_TLS initialization image lies outside the loaded segments");
    if (o->relro_end > o->relro_start && !native_contains(o, o->relro_start, o->relro_end - o->relro_start, PF_W))
        return fail(o, "PT_GNU_RELRO lies outside the writable segments");
    return 1;
}

/* Tags whose value is an address of a table that must lie in the file's loaded bytes. */
static int check_table(struct native_object *o, int tag, uint64_t size_tag, uint64_t entsize) {
    if (!native_has(o, tag)) return 1;
    uint64_t size = size_tag ? o->dynv[size_tag] : entsize;
    uint64_t align = tag == DT_HASH ? 4 : entsize > 1 ? 8 : 1; /* tables are read in place as arrays */
    if (entsize > 1 && size % entsize) return fail(o, "a dynamic table's size is not a multiple of its entry");
    if (o->dynv[tag] % align) return fail(o, "a dynamic table is misaligned");
    if (!native_contains(o, o->dynv[tag], size, PF_R | NATIVE_IN_FILE))
        return fail(o, "a dynamic table lies outside the loaded segments");
    return 1;
}

static int validate_dynamic(struct native_object *o, const struct pystatic_image *image, const Elf64_Phdr *dp) {
    size_t n = dp->p_filesz / sizeof(Elf64_Dyn);
    const Elf64_Dyn *dyn = (const Elf64_Dyn *)(image->data + dp->p_offset);
    size_t count = 0;
    while (count < n && dyn[count].d_tag != DT_NULL) count++;
    if (count == n) return fail(o, "the dynamic section has no DT_NULL end");
    o->dynamic = malloc((count + 1) * sizeof *o->dynamic);
    if (!o->dynamic) return fail(o, "out of memory");
    memcpy(o->dynamic, dyn, (count + 1) * sizeof *o->dynamic);
    for (size_t i = 0; i < count; i++) {
        int64_t tag = o->dynamic[i].d_tag;
        uint64_t val = o->dynamic[i].d_un.d_val;
        if (tag >= 0 && tag <= DT_RELRENT && tag != DT_NEEDED) {
            o->dynv[tag] = val;
            o->dyn_present |= (uint64_t)1 << tag;
        } else if (tag == DT_GNU_HASH) {
            o->gnu_hash_vaddr = val;
        } else if (tag == DT_FLAGS_1) {
            o->flags_1 = val;
        }
    }
    o->flags = o->dynv[DT_FLAGS];
    if (native_has(o, DT_TEXTREL) || (o->flags & DF_TEXTREL))
        return fail(o, "has text relocations (TEXTREL), which this loader refuses");
    if (o->flags & DF_STATIC_TLS)
        return fail(o, "uses initial-exec TLS (DF_STATIC_TLS), impossible in a dynamically loaded object");
    if (native_has(o, DT_REL) || (native_has(o, DT_PLTREL) && o->dynv[DT_PLTREL] != DT_RELA))
        return fail(o, "has REL relocations (only RELA exists on this CPU)");
    if (!native_has(o, DT_STRTAB) || !native_has(o, DT_SYMTAB) || !native_has(o, DT_STRSZ))
        return fail(o, "has no dynamic symbol or string table");
    if (native_has(o, DT_SYMENT) && o->dynv[DT_SYMENT] != sizeof(Elf64_Sym)) return fail(o, "bad DT_SYMENT");
    if (native_has(o, DT_RELAENT) && o->dynv[DT_RELAENT] != sizeof(Elf64_Rela)) return fail(o, "bad DT_RELAENT");
    if (!native_has(o, DT_HASH) && !o->gnu_hash_vaddr) return fail(o, "has neither DT_HASH nor DT_GNU_HASH");
    if (!check_table(o, DT_STRTAB, DT_STRSZ, 1) || !check_table(o, DT_SYMTAB, 0, sizeof(Elf64_Sym)) ||
        !check_table(o, DT_RELA, DT_RELASZ, sizeof(Elf64_Rela)) ||
        !check_table(o, DT_JMPREL, DT_PLTRELSZ, sizeof(Elf64_Rela)) || !check_table(o, DT_RELR, DT_RELRSZ, 8) ||
        !check_table(o, DT_HASH, 0, 8) || !check_table(o, DT_INIT_ARRAY, DT_INIT_ARRAYSZ, 8) ||
        !check_table(o, DT_FINI_ARRAY, DT_FINI_ARRAYSZ, 8))
        return 0;
    if (o->gnu_hash_vaddr && (o->gnu_hash_vaddr % 8 || !native_contains(o, o->gnu_hash_vaddr, 16, PF_R | NATIVE_IN_FILE)))
        return fail(o, "DT_GNU_HASH lies outside the loaded segments");
    const char *strtab = (const char *)image_at(o, image, o->dynv[DT_STRTAB], o->dynv[DT_STRSZ]);
    if (o->dynv[DT_STRSZ] == 0 || strtab[o->dynv[DT_STRSZ] - 1] != '\0')
        return fail(o, "the dynamic string table is not terminated");
    for (size_t i = 0; i < count; i++) {
        int64_t tag = o->dynamic[i].d_tag;
        if ((tag == DT_NEEDED || tag == DT_SONAME || tag == DT_RPATH || tag == DT_RUNPATH) &&
            o->dynamic[i].d_un.d_val >= o->dynv[DT_STRSZ])
            return fail(o, "a dynamic entry names a string outside the string table");
    }
    if (native_has(o, DT_INIT) && !native_contains(o, o->dynv[DT_INIT], 1, PF_X))
        return fail(o, "DT_INIT lies outside the code");
    if (native_has(o, DT_FINI) && !native_contains(o, o->dynv[DT_FINI], 1, PF_X))
        return fail(o, "DT_FINI lies outside the code");
    if (native_has(o, DT_SONAME)) o->soname = strtab + o->dynv[DT_SONAME]; /* re-pointed after mapping */
    return 1;
}

/* Checks the ELF header, the program headers and the dynamic section; fills o's tables with
 * unrelocated addresses and o->soname (pointing into the image until native_map). */
int native_validate(struct native_object *o, const struct pystatic_image *image) {
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image->data;
    if (image->size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return fail(o, "not an ELF file");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64) return fail(o, "not a 64-bit ELF file");
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB) return fail(o, "not a little-endian ELF file");
    if (eh->e_type != ET_DYN) return fail(o, "not a shared object (e_type is not ET_DYN)");
    if (eh->e_machine != NATIVE_MACHINE) return fail(o, "built for another CPU (e_machine)");
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM ||
        eh->e_phoff > image->size || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > image->size - eh->e_phoff ||
        (eh->e_phoff & 7))
        return fail(o, "program headers lie outside the file");
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(image->data + eh->e_phoff);
    const Elf64_Phdr *dynamic = NULL;
    o->phnum = eh->e_phnum;
    return validate_phdrs(o, image, ph, eh->e_phnum, &dynamic) && validate_dynamic(o, image, dynamic);
}

static int prot_of(uint32_t flags) {
    return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

static int mprotect_failed(const struct native_object *o, int prot) {
    if ((prot & PROT_EXEC) && (errno == EACCES || errno == EPERM))
        native_set_error("%s: the kernel refuses executable copies of memory (e.g. PR_SET_MDWE / "
                         "MemoryDenyWriteExecute); a file-backed mapping needs the image stored uncompressed "
                         "in the executable at an offset aligned to its largest p_align", o->path);
    else
        native_set_error("%s: mprotect failed: %s", o->path, strerror(errno));
    return 0;
}

/* Whether every segment can come straight from the file: congruent offsets, no page shared by
 * two segments, no zero-fill inside a read-only page. */
static int can_map_file(const struct native_object *o, const struct pystatic_image *image, uint64_t page) {
    if (image->fd < 0) return 0;
    for (size_t i = 0; i < o->nloads; i++) {
        const Elf64_Phdr *p = &o->loads[i];
        if ((image->file_offset + p->p_offset - p->p_vaddr) % page) return 0;
        if (i && (o->loads[i - 1].p_vaddr + o->loads[i - 1].p_memsz + page - 1) / page > p->p_vaddr / page) return 0;
        if (p->p_memsz > p->p_filesz && !(p->p_flags & PF_W) && (p->p_vaddr + p->p_filesz) % page) return 0;
    }
    return 1;
}

static int map_file_segment(struct native_object *o, const struct pystatic_image *image, const Elf64_Phdr *p,
                            uint64_t page) {
    int prot = prot_of(p->p_flags);
    uintptr_t start = (uintptr_t)o->base + (p->p_vaddr & ~(page - 1));
    uintptr_t file_end = (uintptr_t)o->base + p->p_vaddr + p->p_filesz;
    uintptr_t file_page_end = (file_end + page - 1) & ~(page - 1);
    uintptr_t mem_page_end = ((uintptr_t)o->base + p->p_vaddr + p->p_memsz + page - 1) & ~(page - 1);
    if (p->p_filesz) {
        uint64_t offset = image->file_offset + p->p_offset - (p->p_vaddr & (page - 1));
        if (mmap((void *)start, file_page_end - start, prot, MAP_PRIVATE | MAP_FIXED, image->fd, (off_t)offset) ==
            MAP_FAILED) {
            native_set_error("%s: mmap of a segment from the file failed: %s", o->path, strerror(errno));
            return 0;
        }
        if (p->p_memsz > p->p_filesz && file_page_end > file_end) memset((void *)file_end, 0, file_page_end - file_end);
    } else {
        file_page_end = start;
    }
    if (mem_page_end > file_page_end &&
        mmap((void *)file_page_end, mem_page_end - file_page_end, prot, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1,
             0) == MAP_FAILED) {
        native_set_error("%s: mmap of a segment's zero-filled part failed: %s", o->path, strerror(errno));
        return 0;
    }
    return 1;
}

/* Copies every segment into one anonymous read-write mapping, then gives each its protection. */
static int map_copies(struct native_object *o, const struct pystatic_image *image, uint64_t page) {
    if (mmap(o->map, o->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) ==
        MAP_FAILED) {
        native_set_error("%s: out of memory for a copy of the segments: %s", o->path, strerror(errno));
        return 0;
    }
    for (size_t i = 0; i < o->nloads; i++)
        memcpy(o->base + o->loads[i].p_vaddr, image->data + o->loads[i].p_offset, o->loads[i].p_filesz);
    for (size_t i = 0; i < o->nloads; i++) {
        const Elf64_Phdr *p = &o->loads[i];
        uintptr_t start = (uintptr_t)o->base + (p->p_vaddr & ~(page - 1));
        uintptr_t end = ((uintptr_t)o->base + p->p_vaddr + p->p_memsz + page - 1) & ~(page - 1);
        int prot = prot_of(p->p_flags);
        if (prot != (PROT_READ | PROT_WRITE) && mprotect((void *)start, end - start, prot) != 0)
            return mprotect_failed(o, prot);
    }
    return 1;
}

/* Reserves the object's whole span aligned to its largest p_align, maps the segments and points
 * o's tables at the mapped copies. */
int native_map(struct native_object *o, const struct pystatic_image *image) {
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), align = page;
    for (size_t i = 0; i < o->nloads; i++)
        if (o->loads[i].p_align > align) align = o->loads[i].p_align;
    uint64_t lo = o->loads[0].p_vaddr & ~(page - 1);
    const Elf64_Phdr *last = &o->loads[o->nloads - 1];
    uint64_t hi = (last->p_vaddr + last->p_memsz + page - 1) & ~(page - 1);
    if (hi - lo > MAX_SPAN) return fail(o, "the segments span too much address space");
    unsigned char *reserve = mmap(NULL, hi - lo + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reserve == MAP_FAILED) {
        native_set_error("%s: cannot reserve %llu bytes of address space: %s", o->path,
                         (unsigned long long)(hi - lo), strerror(errno));
        return 0;
    }
    unsigned char *start = (unsigned char *)(((uintptr_t)reserve + align - 1) & ~(uintptr_t)(align - 1));
    if (start > reserve) munmap(reserve, start - reserve);
    if (reserve + hi - lo + align > start + (hi - lo)) munmap(start + (hi - lo), reserve + align - start);
    o->map = start;
    o->map_size = hi - lo;
    o->base = start - lo;
    o->file_backed = can_map_file(o, image, page);
    if (o->file_backed) {
        for (size_t i = 0; i < o->nloads; i++)
            if (!map_file_segment(o, image, &o->loads[i], page)) return 0;
    } else if (!map_copies(o, image, page)) {
        return 0;
    }
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image->data;
    o->phdr = NULL;
    for (size_t i = 0; i < o->nloads; i++) /* headers inside a segment stay valid there */
        if (eh->e_phoff >= o->loads[i].p_offset &&
            eh->e_phoff + o->phnum * sizeof(Elf64_Phdr) <= o->loads[i].p_offset + o->loads[i].p_filesz)
            o->phdr = (const Elf64_Phdr *)(o->base + o->loads[i].p_vaddr + (eh->e_phoff - o->loads[i].p_offset));
    if (!o->phdr) {
        Elf64_Phdr *copy = malloc(o->phnum * sizeof *copy);
        if (!copy) return fail(o, "out of memory");
        memcpy(copy, image->data + eh->e_phoff, o->phnum * sizeof *copy);
        o->phdr = copy;
    }
    o->strtab = (const char *)(o->base + o->dynv[DT_STRTAB]);
    o->strsz = o->dynv[DT_STRSZ];
    o->symtab = (const Elf64_Sym *)(o->base + o->dynv[DT_SYMTAB]);
    if (native_has(o, DT_HASH)) o->sysv_hash = (const uint32_t *)(o->base + o->dynv[DT_HASH]);
    if (o->gnu_hash_vaddr) o->gnu_hash = (const uint32_t *)(o->base + o->gnu_hash_vaddr);
    if (native_has(o, DT_SONAME)) o->soname = o->strtab + o->dynv[DT_SONAME];
    if (o->tls_memsz) o->tls_image = o->base + (uintptr_t)o->tls_image;
    return 1;
}

/* Releases an object that failed before being published (nothing can point into it yet). */
void native_unmap(struct native_object *o) {
    if (o->map) munmap(o->map, o->map_size);
    free(o->loads);
    free(o->dynamic);
    free(o->deps);
    free(o->path);
    free(o);
}
