/* `harness fuzz FILE SEED COUNT`: COUNT damaged copies of FILE (truncated, bits flipped, words
 * overwritten; mostly in the headers and tables the loader reads), each dlopen'ed in a child
 * process. A child killed by a signal is a loader bug: the damage is saved as FILE.crash-N. */
#define _GNU_SOURCE
#include "harness.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static uint64_t state;
static uint64_t next(void) { /* xorshift64 */
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* The bytes the loader interprets: everything before the first executable segment's file
 * offset (headers, dynsym, dynstr, hash, relocations) and the dynamic section. */
static void regions(const unsigned char *data, size_t size, size_t *front, size_t *dyn, size_t *dyn_size) {
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    *front = size < 4096 ? size : 4096;
    *dyn = 0;
    *dyn_size = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *p = (const Elf64_Phdr *)(data + eh->e_phoff) + i;
        if (p->p_type == PT_LOAD && (p->p_flags & PF_X) && p->p_offset > 0 && p->p_offset < size) *front = p->p_offset;
        if (p->p_type == PT_DYNAMIC) {
            *dyn = p->p_offset;
            *dyn_size = p->p_filesz;
        }
    }
}

static void damage(unsigned char *copy, size_t *size, size_t front, size_t dyn, size_t dyn_size) {
    uint64_t kind = next() % 10;
    if (kind == 0) { /* truncated */
        *size = next() % *size;
        return;
    }
    int flips = 1 + (int)(next() % 3);
    for (int i = 0; i < flips; i++) {
        size_t at;
        if (kind <= 5) at = next() % front;
        else if (kind <= 8 && dyn_size) at = dyn + next() % dyn_size;
        else at = next() % *size;
        if (kind == 9 && at + 8 <= *size) { /* a random word */
            uint64_t word = next();
            memcpy(copy + at, &word, 8);
        } else {
            copy[at] ^= (unsigned char)(1u << (next() % 8));
        }
    }
}

/* `harness load FILE`: what one fuzz child does, with FILE's bytes (to replay a saved crash). */
void case_load(const char *path) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    CHECK(fd >= 0 && fstat(fd, &st) == 0, "open %s", path);
    unsigned char *data = malloc((size_t)st.st_size);
    CHECK(read(fd, data, (size_t)st.st_size) == st.st_size, "read");
    close(fd);
    fuzz_image = (struct pystatic_image){data, (size_t)st.st_size, -1, 0};
    void *h = dlopen("/fuzz/damaged.so", RTLD_NOW);
    printf("%s\n", h ? "loaded" : dlerror());
    if (h) {
        dlsym(h, "fuzz_value");
        dlsym(h, "fuzz_word");
    }
}

void case_fuzz(const char *path, unsigned long seed, int count) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    CHECK(fd >= 0 && fstat(fd, &st) == 0, "open %s", path);
    size_t clean_size = (size_t)st.st_size;
    unsigned char *clean = malloc(clean_size), *copy = malloc(clean_size);
    CHECK(read(fd, clean, clean_size) == (ssize_t)clean_size, "read");
    close(fd);
    size_t front, dyn, dyn_size;
    regions(clean, clean_size, &front, &dyn, &dyn_size);
    state = seed * 2654435761u + 1;
    int refused = 0, loaded = 0, crashed = 0;
    for (int i = 0; i < count; i++) {
        size_t size = clean_size;
        memcpy(copy, clean, clean_size);
        damage(copy, &size, front, dyn, dyn_size);
        pid_t pid = fork();
        CHECK(pid >= 0, "fork");
        if (pid == 0) {
            alarm(10);
            fuzz_image = (struct pystatic_image){copy, size, -1, 0};
            const char *mode = getenv("NL_MODE");
            if (mode && strcmp(mode, "fd") == 0) { /* the same bytes in a file: file-backed mappings */
                char name[4096];
                snprintf(name, sizeof name, "%s.fuzz-%d", path, (int)getpid());
                int out = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
                CHECK(out >= 0 && write(out, copy, size) == (ssize_t)size, "write %s", name);
                unlink(name);
                fuzz_image.fd = out;
            }
            void *h = dlopen("/fuzz/damaged.so", RTLD_NOW);
            if (!h) _exit(dlerror() ? 3 : 4); /* 4: failed without a message */
            dlsym(h, "fuzz_value");
            dlsym(h, "fuzz_word");
            _exit(0);
        }
        int status;
        CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
        if (WIFSIGNALED(status)) {
            char name[4096];
            snprintf(name, sizeof name, "%s.crash-%d", path, i);
            int out = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out >= 0) {
                write(out, copy, size);
                close(out);
            }
            printf("crash: case %d signal %d saved as %s\n", i, WTERMSIG(status), name);
            crashed++;
        } else {
            CHECK(WEXITSTATUS(status) != 4, "case %d: dlopen failed without a dlerror message", i);
            if (WEXITSTATUS(status) == 0) loaded++;
            else refused++;
        }
    }
    printf("fuzz: %d refused, %d loaded, %d crashed\n", refused, loaded, crashed);
    CHECK(crashed == 0, "%d damaged images crashed the loader", crashed);
}
