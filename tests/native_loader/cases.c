/* The test cases of the native loader's harness (one per `harness CASE` run). */
#define _GNU_SOURCE
#include "harness.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>


/* Whether the mapping holding addr is backed by the bundle file (/proc/self/maps). */
static int backed_by_bundle(const void *addr) {
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int result = -1;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && (unsigned long)addr >= lo && (unsigned long)addr < hi)
            result = strstr(line, "bundle.bin") != NULL;
    }
    if (f) fclose(f);
    return result;
}

static void case_basic(void) {
    void *h = open_ok(E "/pkg/basic.so", RTLD_NOW);
    int_fn check = (int_fn)sym_ok(h, "basic_check");
    CHECK(check() == 0, "basic_check returned %d", check());
    int *(*data)(void) = (int *(*)(void))sym_ok(h, "basic_data_pointer");
    CHECK(data() == &harness_data, "64/ABS64 relocation against the export table");
    CHECK(open_ok(E "/pkg/./sub/../basic.so", RTLD_NOW) == h, "normalized path, same handle");
    CHECK(open_ok(E "//pkg//basic.so", RTLD_NOW) == h, "repeated slashes, same handle");
    void *dep = open_ok("libdep.so", RTLD_NOW);
    void *(*dep_pointer)(void) = (void *(*)(void))sym_ok(h, "basic_dep_pointer");
    CHECK(sym_ok(dep, "dep_value") == dep_pointer(), "relocation bound to the dependency");
    CHECK(open_ok(E "/other.libs/libdep.so", RTLD_NOW) == dep, "same DT_SONAME, same handle");
    CHECK(sym_ok(h, "dep_value") == dep_pointer(), "dlsym searches the closure");
    CHECK(dlsym(h, "strlen") == (void *)strlen, "dlsym(handle) ends with the executable's libc");
    CHECK(dlsym(h, "no_such_name") == NULL, "missing symbol");
    const char *e = dlerror();
    CHECK(e && strstr(e, "no_such_name"), "dlsym error %s", e ? e : "(none)");
    CHECK(dlopen("libnotloaded.so", RTLD_NOW) == NULL && dlerror(), "a bare name finds only loaded objects");
    void *exe = open_ok(NULL, RTLD_NOW);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    CHECK(open_ok(self, RTLD_NOW) == exe, "the executable's path is the executable's handle");
    CHECK(sym_ok(exe, "harness_data") == &harness_data, "the executable's handle searches the exports");
    CHECK(dlsym(RTLD_DEFAULT, "dep_value") == dep_pointer(), "RTLD_DEFAULT finds loaded objects");
    CHECK(dlsym(RTLD_DEFAULT, "strlen") == (void *)strlen, "RTLD_DEFAULT finds exports");
    CHECK(dlsym(RTLD_DEFAULT, "dlopen") == (void *)dlopen, "RTLD_DEFAULT finds the loader's functions");
    CHECK(dlsym(RTLD_DEFAULT, "surely_nowhere") == NULL && dlerror(), "RTLD_DEFAULT miss");
    CHECK(open_ok("libc.so.6", RTLD_NOW) == exe, "libc names are the executable");
    Dl_info info;
    CHECK(dladdr((char *)check + 1, &info) && strcmp(info.dli_fname, E "/pkg/basic.so") == 0 &&
              info.dli_sname && strcmp(info.dli_sname, "basic_check") == 0 && info.dli_saddr == (void *)check,
          "dladdr in a loaded object: %s %s", info.dli_fname, info.dli_sname ? info.dli_sname : "-");
    CHECK(dladdr(&harness_data, &info) && info.dli_sname && strcmp(info.dli_sname, "harness_data") == 0,
          "dladdr in the executable");
    CHECK(dlclose(h) == 0 && dlclose(h) == 0 && dlclose(dep) == 0, "dlclose");
    const char *mode = getenv("NL_MODE");
    int expect = mode && strcmp(mode, "fd") == 0;
    CHECK(backed_by_bundle((void *)check) == expect, "file-backed mapping expected: %d", expect);
}

/* RTLD_GLOBAL objects serve later loads that do not NEED them; RTLD_NOLOAD only finds. */
static void case_global(void) {
    CHECK(dlopen(E "/pkg/global_def.so", RTLD_NOW | RTLD_NOLOAD) == NULL && dlerror(), "RTLD_NOLOAD of a new object");
    void *def = open_ok(E "/pkg/global_def.so", RTLD_NOW | RTLD_GLOBAL);
    CHECK(open_ok(E "/pkg/global_def.so", RTLD_NOW | RTLD_NOLOAD) == def, "RTLD_NOLOAD of a loaded object");
    CHECK(((int_fn)sym_ok(open_ok(E "/pkg/weak.so", RTLD_NOW), "weak_check"))() == 1, "bound to the global object");
}

static void case_relr(void) {
    int_fn check = (int_fn)sym_ok(open_ok(E "/pkg/relr.so", RTLD_NOW), "relr_check");
    CHECK(check() == 0, "relr_check %d", check());
}

static void case_ifunc(void) {
    void *h = open_ok(E "/pkg/ifunc.so", RTLD_NOW);
    CHECK(((int_fn)sym_ok(h, "ifunc_exported"))() == 11, "exported IFUNC resolved by dlsym");
    CHECK(((int_fn)sym_ok(h, "ifunc_call_local"))() == 22, "IRELATIVE");
}

static void case_hash(void) {
    const char *paths[] = {E "/pkg/gnuhash.so", E "/pkg/sysvhash.so"};
    for (int i = 0; i < 2; i++) {
        void *h = open_ok(paths[i], RTLD_NOW);
        CHECK(((int_fn)sym_ok(h, "hashed_alpha"))() == 1 && ((int_fn)sym_ok(h, "hashed_gamma"))() == 3 &&
                  *(int *)sym_ok(h, "hashed_delta") == 4,
              "%s", paths[i]);
        CHECK(dlsym(h, "hashed_epsilon") == NULL && dlerror(), "%s: absent symbol", paths[i]);
    }
}

static void case_cycle(void) {
    void *a = open_ok(E "/pkg/cyc_a.so", RTLD_NOW);
    CHECK(((int_fn)sym_ok(a, "cyc_a_sum"))() == 123, "cycle a");
    CHECK(((int_fn)sym_ok(a, "cyc_b_sum"))() == 223, "cycle b through a's closure");
    CHECK(open_ok(E "/pkg/cyc_b.so", RTLD_NOW) == open_ok("cyc_b.so", RTLD_NOW), "cyc_b loaded once");
}

static void case_rpath(void) {
    CHECK(((int_fn)sym_ok(open_ok(E "/pkg/runpath.so", RTLD_NOW), "rpath_value"))() == 78, "RUNPATH");
    CHECK(((int_fn)sym_ok(open_ok(E "/pkg/rpath.so", RTLD_NOW), "rpath_value"))() == 78, "RPATH");
    CHECK(((int_fn)sym_ok(open_ok(E "/pkg/provided.so", RTLD_NOW), "provided_call"))() == 4242, "provided");
}

/* A copy of an embedded file with one dynamic entry's value or one relocation's type changed,
 * served as /fuzz/damaged.so: refusals the synthetic libraries cannot be linked to produce. */
static void serve_patched(const char *path, int64_t flags_clear, uint32_t reloc_type) {
    struct pystatic_image image;
    CHECK(pystatic_embedded_image(path, &image), "%s", path);
    unsigned char *copy = malloc(image.size);
    memcpy(copy, image.data, image.size);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)copy;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(copy + eh->e_phoff);
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_DYNAMIC) continue;
        for (Elf64_Dyn *d = (Elf64_Dyn *)(copy + ph[i].p_offset); d->d_tag != DT_NULL; d++) {
            if (d->d_tag == DT_FLAGS) d->d_un.d_val &= ~(uint64_t)flags_clear;
            if (d->d_tag == DT_RELA && reloc_type) /* lld: .rela.dyn's file offset = its address */
                ((Elf64_Rela *)(copy + d->d_un.d_ptr))->r_info = ELF64_R_INFO(0, reloc_type);
        }
    }
    fuzz_image = (struct pystatic_image){copy, image.size, -1, 0};
}

/* pyarrow's libarrow_compute: a PT_TLS of .tbss only whose address lies between two PT_LOADs (lld
 * placed it in the padding before the RELRO segment). No initialization image: it loads. */
static void *tbss_thread(void *bump) {
    CHECK(((int_fn)bump)() == 1, "a new thread's .tbss starts at 0");
    return NULL;
}

static void case_tbss(void) {
    struct pystatic_image image;
    CHECK(pystatic_embedded_image(E "/pkg/tbss.so", &image), "tbss.so");
    unsigned char *copy = malloc(image.size);
    memcpy(copy, image.data, image.size);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)copy;
    Elf64_Phdr *ph = (Elf64_Phdr *)(copy + eh->e_phoff), *tls = NULL;
    uint64_t end = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_TLS) tls = &ph[i];
        if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end) end = ph[i].p_vaddr + ph[i].p_memsz;
    }
    CHECK(tls && tls->p_filesz == 0 && tls->p_memsz >= 4, "tbss.so's PT_TLS is .tbss only");
    tls->p_vaddr = tls->p_paddr = end + 64; /* outside every PT_LOAD */
    fuzz_image = (struct pystatic_image){copy, image.size, -1, 0};
    int_fn bump = (int_fn)sym_ok(open_ok("/fuzz/damaged.so", RTLD_NOW), "tbss_bump");
    CHECK(bump() == 1 && bump() == 2, "this thread's .tbss");
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, tbss_thread, (void *)bump) == 0 && pthread_join(thread, NULL) == 0, "thread");
    CHECK(bump() == 3, "this thread's copy again");
}

static void case_errors(void) {
    serve_patched(E "/pkg/static_tls.so", DF_STATIC_TLS, 0);
#if defined(__x86_64__)
    expect_error("/fuzz/damaged.so", "initial-exec", "R_X86_64_TPOFF64");
#else
    expect_error("/fuzz/damaged.so", "initial-exec", "R_AARCH64_TLS_TPREL64");
#endif
    serve_patched(E "/pkg/ifunc.so", 0, 200);
    expect_error("/fuzz/damaged.so", "damaged.so", "unknown relocation type 200");
    fuzz_image.data = NULL;
    expect_error(E "/pkg/missing_sym.so", E "/pkg/missing_sym.so", "undefined symbol no_such_function");
    expect_error(E "/pkg/missing_needed.so", "libgone.so", "missing_needed.so");
    expect_error(E "/pkg/static_tls.so", "static_tls.so", "initial-exec");
    expect_error(E "/pkg/nothing_here.so", "nothing_here.so", "no such");
    expect_error(getenv("NL_INDEX"), "bundle.idx", "not an ELF file");
    CHECK(((int_fn)sym_ok(open_ok(E "/pkg/weak.so", RTLD_NOW), "weak_check"))() == 0, "weak undefined is 0");
    CHECK(dlopen(E "/pkg/missing_sym.so", RTLD_NOW) == NULL, "a failed object stays failed");
    CHECK(((int_fn)sym_ok(open_ok(E "/pkg/basic.so", RTLD_NOW), "basic_check"))() == 0, "loads after errors");
}

static void case_init(void) {
    open_ok(E "/pkg/init_top.so", RTLD_NOW);
    open_ok(E "/pkg/init_top.so", RTLD_NOW); /* initializers run once */
    harness_log("opened");
}

struct iterate_state { int count; char names[8][128]; uintptr_t exe_addr; const ElfW(Phdr) *exe_phdr; size_t adds; };
static int iterate(struct dl_phdr_info *info, size_t size, void *arg) {
    struct iterate_state *s = arg;
    CHECK(size >= sizeof *info, "size");
    if (s->count == 0) {
        s->exe_addr = info->dlpi_addr;
        s->exe_phdr = info->dlpi_phdr;
        s->adds = info->dlpi_adds;
    }
    if (s->count < 8) snprintf(s->names[s->count], 128, "%s", info->dlpi_name);
    s->count++;
    return 0;
}

static void case_iterate(void) {
    open_ok(E "/pkg/basic.so", RTLD_NOW);
    struct iterate_state s = {0};
    dl_iterate_phdr(iterate, &s);
    CHECK(s.count == 3 && s.exe_addr == 0 && s.exe_phdr && s.adds == 3, "count %d adds %zu", s.count, s.adds);
    CHECK(strcmp(s.names[1], E "/pkg/basic.so") == 0 && strcmp(s.names[2], E "/pkg.libs/libdep.so") == 0,
          "load order: %s, %s", s.names[1], s.names[2]);
}

static void case_disk(const char *path) {
    void *h = open_ok(path, RTLD_NOW);
    CHECK(((int_fn)sym_ok(h, "hashed_beta"))() == 2 && open_ok(path, RTLD_NOW) == h, "disk");
    CHECK(backed_by_bundle(sym_ok(h, "hashed_beta")) == 0, "disk mapping is the file's, not the bundle's");
}

static void case_mdwe(void) {
    if (prctl(65 /* PR_SET_MDWE */, 1 /* PR_MDWE_REFUSE_EXEC_GAIN */, 0L, 0L, 0L) != 0) {
        printf("skip: PR_SET_MDWE: %s\n", strerror(errno));
        return;
    }
    const char *mode = getenv("NL_MODE");
    if (mode && strcmp(mode, "fd") == 0)
        CHECK(((int_fn)sym_ok(open_ok(E "/pkg/basic.so", RTLD_NOW), "basic_check"))() == 0, "file-backed under MDWE");
    else
        expect_error(E "/pkg/basic.so", "basic.so", "refuses executable copies");
}

/* files.so's C code reads the tree through the loader's file view (runtime/native_files.c). */
static void case_files(void) {
    void *h = open_ok(E "/pkg/files.so", RTLD_NOW);
    long (*read_)(const char *, int, char *, size_t) = (long (*)(const char *, int, char *, size_t))sym_ok(h, "files_read");
    int (*open_errno)(const char *, int) = (int (*)(const char *, int))sym_ok(h, "files_open_errno");
    int (*fopen_errno)(const char *, const char *) = (int (*)(const char *, const char *))sym_ok(h, "files_fopen_errno");
    long (*stat_)(const char *, int, unsigned *) = (long (*)(const char *, int, unsigned *))sym_ok(h, "files_stat");
    int (*access_)(const char *, int, int) = (int (*)(const char *, int, int))sym_ok(h, "files_access");
    int (*readlink_errno)(const char *) = (int (*)(const char *))sym_ok(h, "files_readlink_errno");
    int (*realpath_)(const char *, char *, size_t) = (int (*)(const char *, char *, size_t))sym_ok(h, "files_realpath");
    const char *file = E "/pkg/data/hello.txt", *content = "hello from the tree\n", *missing = E "/pkg/data/no.txt";
    const long length = (long)strlen(content);
    char buffer[256];
    for (int how = 0; how < 3; how++) { /* open, openat, fopen */
        memset(buffer, 0, sizeof buffer);
        long n = read_(file, how, buffer, sizeof buffer - 1);
        CHECK(n == length && strcmp(buffer, content) == 0, "read %d: %ld '%s'", how, n, buffer);
        memset(buffer, 0, sizeof buffer);
        n = read_(E "//pkg/./sub/../data//hello.txt", how, buffer, sizeof buffer - 1);
        CHECK(n == length && strcmp(buffer, content) == 0, "read %d of a path to normalize: %ld", how, n);
        CHECK(read_(missing, how, buffer, sizeof buffer) == -ENOENT, "read %d of a missing file", how);
        CHECK(read_(E "/pkg/data", how, buffer, sizeof buffer) == -EACCES, "read %d of a directory", how);
        unsigned mode = 0;
        CHECK(stat_(file, how, &mode) == length && mode == (S_IFREG | 0644), "stat %d: mode %o", how, mode);
        CHECK(stat_(E "/pkg/data", how, &mode) >= 0 && mode == (S_IFDIR | 0755), "stat %d of a directory: %o", how, mode);
        CHECK(stat_(missing, how, &mode) == -ENOENT, "stat %d of a missing file", how);
        CHECK(stat_("/", how, &mode) >= 0 && S_ISDIR(mode), "stat %d outside the tree", how);
    }
    CHECK(open_errno(file, O_WRONLY) == EROFS && open_errno(file, O_RDONLY | O_TRUNC) == EROFS, "writing");
    CHECK(open_errno(E "/pkg/new.txt", O_CREAT | O_WRONLY) == EROFS, "creating");
    CHECK(open_errno(file, O_CREAT | O_EXCL | O_RDONLY) == EEXIST, "O_EXCL");
    CHECK(open_errno(file, O_RDONLY | O_DIRECTORY) == ENOTDIR, "O_DIRECTORY of a file");
    CHECK(open_errno(E "/pkg/data", O_RDWR) == EISDIR, "writing a directory");
    CHECK(open_errno(missing, O_RDONLY) == ENOENT, "a missing file");
    CHECK(fopen_errno(file, "w") == EROFS && fopen_errno(file, "a") == EROFS && fopen_errno(file, "r+") == EROFS, "fopen");
    CHECK(fopen_errno(missing, "r") == ENOENT && fopen_errno(file, "r") == 0, "fopen to read");
    for (int how = 0; how < 2; how++) { /* access, faccessat */
        CHECK(access_(file, how, R_OK) == 0 && access_(file, how, F_OK) == 0, "access %d", how);
        CHECK(access_(file, how, W_OK) == EROFS && access_(file, how, X_OK) == EACCES, "access %d: W, X", how);
        CHECK(access_(E "/pkg/data", how, X_OK) == 0 && access_(missing, how, F_OK) == ENOENT, "access %d", how);
    }
    CHECK(readlink_errno(file) == EINVAL && readlink_errno(missing) == ENOENT, "readlink");
    CHECK(realpath_(E "/pkg/./data/../data/hello.txt", buffer, sizeof buffer) == 0 && strcmp(buffer, file) == 0,
          "realpath: %s", buffer);
    CHECK(realpath_(missing, buffer, sizeof buffer) == ENOENT, "realpath of a missing file");
    /* Outside the tree and relative paths: the C library's answers. */
    const char *index = getenv("NL_INDEX");
    CHECK(read_(index, 0, buffer, sizeof buffer) > 0 && read_(index, 2, buffer, sizeof buffer) > 0, "a file on disk");
    CHECK(read_("no-such-relative-file", 0, buffer, sizeof buffer) == -ENOENT, "a relative path");
    CHECK(realpath_("/", buffer, sizeof buffer) == 0 && strcmp(buffer, "/") == 0, "realpath outside");
}


int main(int argc, char **argv, char **envp) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    pystatic_loader_init(argc, argv, envp, exe);
    load_index();
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *name = argc > 1 ? argv[1] : "";
    if (strcmp(name, "basic") == 0) case_basic();
    else if (strcmp(name, "relr") == 0) case_relr();
    else if (strcmp(name, "global") == 0) case_global();
    else if (strcmp(name, "ifunc") == 0) case_ifunc();
    else if (strcmp(name, "hash") == 0) case_hash();
    else if (strcmp(name, "cycle") == 0) case_cycle();
    else if (strcmp(name, "rpath") == 0) case_rpath();
    else if (strcmp(name, "errors") == 0) case_errors();
    else if (strcmp(name, "tls") == 0) case_tls();
    else if (strcmp(name, "cxx") == 0) case_cxx();
    else if (strcmp(name, "fork") == 0) case_fork();
    else if (strcmp(name, "concurrent") == 0) case_concurrent();
    else if (strcmp(name, "init") == 0) case_init();
    else if (strcmp(name, "iterate") == 0) case_iterate();
    else if (strcmp(name, "files") == 0) case_files();
    else if (strcmp(name, "tbss") == 0) case_tbss();
    else if (strcmp(name, "disk") == 0 && argc > 2) case_disk(argv[2]);
    else if (strcmp(name, "mdwe") == 0) case_mdwe();
    else if (strcmp(name, "load") == 0 && argc > 2) case_load(argv[2]);
    else if (strcmp(name, "real") == 0) case_real(argc - 2, argv + 2);
    else if (strcmp(name, "fuzz") == 0 && argc > 4) case_fuzz(argv[2], strtoul(argv[3], 0, 10), atoi(argv[4]));
    else {
        printf("FAIL unknown case %s\n", name);
        return 1;
    }
    printf("ok %s\n", name);
    return 0;
}
