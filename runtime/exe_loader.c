/* The loader of a compressed py_static_binary (compress_executable = True; docs/compressed-executable.md).
 *
 * This program is linked far above the application's own addresses (--image-base, EXE_LOADER_BASE in
 * actions/pystatic/binary/pack_exe.py) and carries the application's static executable as zstd
 * frames, one per PT_LOAD segment (the payload written by pack_exe.py). It maps each segment at the
 * address the application was linked for, decompresses it there, gives it its protection, points
 * the auxiliary vector at the application's program headers and entry, and jumps to that entry
 * with the stack the kernel built: the application's C start-up code runs as if the kernel had
 * loaded it. Nothing is written to disk.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* The payload's layout; pack_exe.py's HEADER and SEGMENT (tests/actions/test_pack_exe.py checks). */
#define PAYLOAD_MAGIC "PYSTEXE1"
struct payload_header {
    char magic[8];
    uint64_t entry;
    uint64_t phdr;
    uint32_t phnum;
    uint32_t phentsize;
    uint32_t segment_count;
    uint32_t reserved;
};
struct payload_segment {
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t offset; /* of its zstd frame, from the payload's start */
    uint64_t stored; /* the frame's size */
    uint32_t flags;  /* PF_R | PF_W | PF_X */
    uint32_t reserved;
};

extern const unsigned char pystatic_exe_payload[];

size_t ZSTD_decompress(void *dst, size_t dst_capacity, const void *src, size_t src_size);
unsigned ZSTD_isError(size_t code);
const char *ZSTD_getErrorName(size_t code);

static void say(const char *text) {
    size_t n = strlen(text);
    while (n > 0) {
        ssize_t w = write(2, text, n);
        if (w <= 0) return;
        text += w;
        n -= (size_t)w;
    }
}

static _Noreturn void fail(const char *what, const char *detail) {
    say("compressed py_static_binary: ");
    say(what);
    if (detail) {
        say(": ");
        say(detail);
    }
    say("\n");
    _exit(127);
}

static int protection(uint32_t flags) {
    return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

static _Noreturn void enter(void *stack, uint64_t entry) {
#if defined(__x86_64__)
    /* rdx = 0: no dynamic linker's finaliser for the start-up code to register. */
    __asm__ volatile("mov %0, %%rsp\n\txor %%edx, %%edx\n\txor %%ebp, %%ebp\n\tjmp *%1"
                     : : "r"(stack), "r"(entry) : "memory");
#elif defined(__aarch64__)
    __asm__ volatile("mov sp, %0\n\tmov x0, xzr\n\tmov x29, xzr\n\tmov x30, xzr\n\tbr %1"
                     : : "r"(stack), "r"(entry) : "memory");
#else
#error "exe_loader.c: no entry sequence for this CPU"
#endif
    __builtin_unreachable();
}

int main(int argc, char **argv, char **envp) {
    (void)argc;
    const struct payload_header *header = (const void *)pystatic_exe_payload;
    if (memcmp(header->magic, PAYLOAD_MAGIC, 8) != 0) fail("the embedded payload is damaged", "bad magic");
    const struct payload_segment *segments = (const void *)(header + 1);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

    for (uint32_t i = 0; i < header->segment_count; i++) {
        const struct payload_segment *s = &segments[i];
        uintptr_t start = s->vaddr & ~(page - 1), end = (s->vaddr + s->memsz + page - 1) & ~(page - 1);
        /* NOREPLACE: never over something already mapped (kernels before 4.17 take it as a hint,
         * and a hint that cannot be honoured gives another address: also an error here). POPULATE:
         * every page is written next, and one populate costs less than a fault per page (measured
         * on hello: 2,580 -> 653 page faults, 41 -> 36 ms of CPU time). */
        void *at = mmap((void *)start, end - start, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_POPULATE, -1, 0);
        if (at == MAP_FAILED) fail("cannot map the application's segment", strerror(errno));
        if ((uintptr_t)at != start) fail("cannot map the application's segment", "its address is taken");
        if (s->filesz > 0) {
            size_t n = ZSTD_decompress((void *)(uintptr_t)s->vaddr, s->filesz, pystatic_exe_payload + s->offset, s->stored);
            if (ZSTD_isError(n)) fail("cannot decompress the application", ZSTD_getErrorName(n));
            if (n != s->filesz) fail("cannot decompress the application", "a segment has the wrong size");
        }
    }
    for (uint32_t i = 0; i < header->segment_count; i++) {
        const struct payload_segment *s = &segments[i];
        uintptr_t start = s->vaddr & ~(page - 1), end = (s->vaddr + s->memsz + page - 1) & ~(page - 1);
        if (mprotect((void *)start, end - start, protection(s->flags)) != 0)
            fail("mprotect", errno == EACCES && (s->flags & PF_X)
                                 ? "the kernel refuses to make decompressed code executable (PR_SET_MDWE, systemd's "
                                   "MemoryDenyWriteExecute, SELinux deny_execmem): build without compress_executable"
                                 : strerror(errno));
    }

    /* The kernel's stack: argc, argv[], NULL, envp[], NULL, auxv[]. The application's start-up code
     * reads its program headers (TLS, stack size) through AT_PHDR. */
    char **env_end = envp;
    while (*env_end) env_end++;
    for (Elf64_auxv_t *aux = (Elf64_auxv_t *)(env_end + 1); aux->a_type != AT_NULL; aux++) {
        switch (aux->a_type) {
        case AT_PHDR: aux->a_un.a_val = header->phdr; break;
        case AT_PHNUM: aux->a_un.a_val = header->phnum; break;
        case AT_PHENT: aux->a_un.a_val = header->phentsize; break;
        case AT_ENTRY: aux->a_un.a_val = header->entry; break;
        default: break;
        }
    }
    enter((long *)argv - 1, header->entry);
}
