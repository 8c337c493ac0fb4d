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
#include <sys/prctl.h>
#include <sys/wait.h>

#define E "/embedded"

typedef int (*int_fn)(void);

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

/* ---- TLS ---- */
static void *tls_handle, *tls_user_handle, *tls_desc_handle;
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open;
static pthread_barrier_t alive; /* blocks are freed at thread exit: keep all alive to compare them */

static void *tls_thread(void *arg) {
    if (arg) { /* created before the dlopen: wait for it */
        pthread_mutex_lock(&gate);
        while (!gate_open) pthread_cond_wait(&gate_cond, &gate);
        pthread_mutex_unlock(&gate);
    }
    CHECK(((int_fn)sym_ok(tls_handle, "tls_get"))() == 5, "initial value in a new block");
    int (*add)(int) = (int (*)(int))sym_ok(tls_handle, "tls_add");
    for (int i = 0; i < 1000; i++) add(1);
    CHECK(((int_fn)sym_ok(tls_handle, "tls_get"))() == 1005, "per-thread counter");
    CHECK(((int_fn)sym_ok(tls_user_handle, "tls_user_get"))() == 1005, "another object's TLS variable");
    CHECK(((int_fn)sym_ok(tls_handle, "tls_big_sum"))() == 0, ".tbss zeroed");
    CHECK(((long (*)(void))sym_ok(tls_handle, "tls_pair_sum"))() == 15, ".tdata copied");
    double (*mix)(double, double, long, long) = (double (*)(double, double, long, long))sym_ok(tls_desc_handle, "td_mix");
    double first = mix(1.0, 2.0, 3, 4), second = mix(1.0, 2.0, 3, 4);
    CHECK(first == 28.5 && second == 30.0, "TLS descriptor values %g %g", first, second);
    CHECK(((int_fn)sym_ok(tls_desc_handle, "td_get"))() == 9, "td_counter");
    void *block = ((void *(*)(void))sym_ok(tls_handle, "tls_big_address"))();
    pthread_barrier_wait(&alive);
    return block;
}

struct tls_seen { const char *name; size_t modid; void *data; };
static int find_tls(struct dl_phdr_info *info, size_t size, void *arg) {
    struct tls_seen *seen = arg;
    (void)size;
    if (strcmp(info->dlpi_name, seen->name) != 0) return 0;
    seen->modid = info->dlpi_tls_modid;
    seen->data = info->dlpi_tls_data;
    return 1;
}

static void case_tls(void) {
    pthread_t before, after[8];
    void *addresses[10];
    pthread_barrier_init(&alive, NULL, 10);
    CHECK(pthread_create(&before, NULL, tls_thread, (void *)1) == 0, "pthread_create");
    tls_handle = open_ok(E "/pkg/tls.so", RTLD_NOW);
    tls_user_handle = open_ok(E "/pkg/tls_user.so", RTLD_NOW);
    tls_desc_handle = open_ok(E "/pkg/tls_desc.so", RTLD_NOW);
    struct tls_seen seen = {E "/pkg/tls.so", 0, (void *)1};
    CHECK(dl_iterate_phdr(find_tls, &seen) == 1 && seen.modid && seen.data == NULL, "no block before first use");
    pthread_mutex_lock(&gate);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate);
    for (int i = 0; i < 8; i++) CHECK(pthread_create(&after[i], NULL, tls_thread, NULL) == 0, "pthread_create");
    addresses[9] = tls_thread(NULL);
    CHECK(pthread_join(before, &addresses[0]) == 0, "join");
    for (int i = 0; i < 8; i++) CHECK(pthread_join(after[i], &addresses[i + 1]) == 0, "join");
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < i; j++) CHECK(addresses[i] != addresses[j], "threads share a TLS block");
    char *counter = sym_ok(tls_handle, "tls_counter");
    CHECK(*(int *)counter == 1005, "dlsym of a TLS variable gives this thread's copy");
    CHECK(dl_iterate_phdr(find_tls, &seen) == 1 && seen.data && (char *)seen.data <= counter &&
              counter < (char *)seen.data + 200000,
          "dlpi_tls_data");
}

/* ---- C++ exceptions across two loaded objects ---- */
static int (*cxx_catch)(int);
static void *cxx_thread(void *arg) {
    for (int i = 0; i < 200; i++) {
        int code = (int)(long)arg * 1000 + i;
        CHECK(cxx_catch(code) == code + 1000, "exception not caught");
    }
    return NULL;
}

static void case_cxx(void) {
    cxx_catch = (int (*)(int))sym_ok(open_ok(E "/pkg/catch.so", RTLD_NOW), "cxx_catch");
    pthread_t threads[8];
    for (long i = 0; i < 8; i++) CHECK(pthread_create(&threads[i], NULL, cxx_thread, (void *)i) == 0, "create");
    for (int i = 0; i < 8; i++) pthread_join(threads[i], NULL);
    cxx_thread((void *)9L);
}

/* Unwinding (dl_iterate_phdr), dladdr and dlsym in 4 threads while the main thread loads. */
static _Atomic int loading_done;
static int count_objects(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    CHECK(info->dlpi_phdr && info->dlpi_name, "half-published object");
    ++*(int *)arg;
    return 0;
}
static void *busy_thread(void *arg) {
    int rounds = 0, last = 3; /* the executable, catch.so, throw.so */
    (void)arg;
    while (!loading_done || rounds < 20) {
        int code = rounds++;
        CHECK(cxx_catch(code) == code + 1000, "exception during loading");
        int n = 0;
        dl_iterate_phdr(count_objects, &n);
        CHECK(n >= last, "objects disappeared: %d after %d", n, last);
        last = n;
        Dl_info info;
        CHECK(dladdr((void *)cxx_catch, &info) && strstr(info.dli_fname, "catch.so"), "dladdr during loading");
    }
    return NULL;
}

static void case_concurrent(void) {
    cxx_catch = (int (*)(int))sym_ok(open_ok(E "/pkg/catch.so", RTLD_NOW), "cxx_catch");
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&threads[i], NULL, busy_thread, NULL) == 0, "create");
    const char *paths[] = {E "/pkg/basic.so", E "/pkg/relr.so", E "/pkg/ifunc.so", E "/pkg/gnuhash.so",
                           E "/pkg/sysvhash.so", E "/pkg/cyc_a.so", E "/pkg/runpath.so", E "/pkg/rpath.so",
                           E "/pkg/tls_user.so", E "/pkg/tls_desc.so", E "/pkg/weak.so", E "/pkg/provided.so"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        open_ok(paths[i], RTLD_NOW);
        CHECK(dlopen(E "/pkg/missing_sym.so", RTLD_NOW) == NULL, "failed load");
    }
    loading_done = 1;
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
}

static void case_fork(void) {
    void *basic = open_ok(E "/pkg/basic.so", RTLD_NOW), *tls = open_ok(E "/pkg/tls.so", RTLD_NOW);
    ((int (*)(int))sym_ok(tls, "tls_add"))(1);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        CHECK(((int_fn)sym_ok(basic, "basic_check"))() == 0, "child: basic_check");
        CHECK(((int_fn)sym_ok(tls, "tls_get"))() == 6, "child: inherited TLS block");
        CHECK(((int_fn)sym_ok(open_ok(E "/pkg/relr.so", RTLD_NOW), "relr_check"))() == 0, "child: dlopen");
        _exit(0);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d",
          status);
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

/* `harness real LIB...`: real libraries (a wheel's .libs) loaded from disk; OpenBLAS, when
 * present, multiplies matrices on its own threads (its 143 KB .tbss). */
static void *blas_thread(void *arg) {
    double (*ddot)(int64_t, const double *, int64_t, const double *, int64_t) = arg;
    double x[100], y[100];
    for (int i = 0; i < 100; i++) x[i] = i, y[i] = 2;
    for (int round = 0; round < 100; round++) CHECK(ddot(100, x, 1, y, 1) == 9900.0, "ddot");
    return NULL;
}

static void case_real(int count, char **paths) {
    void *blas = NULL;
    for (int i = 0; i < count; i++) {
        void *h = open_ok(paths[i], RTLD_NOW);
        if (dlsym(h, "scipy_cblas_ddot64_")) blas = h;
        dlerror();
    }
    if (!blas) return;
    pthread_t threads[8];
    void *ddot = sym_ok(blas, "scipy_cblas_ddot64_");
    for (int i = 0; i < 8; i++) CHECK(pthread_create(&threads[i], NULL, blas_thread, ddot) == 0, "create");
    for (int i = 0; i < 8; i++) pthread_join(threads[i], NULL);
    void (*dgemm)(int, int, int, int64_t, int64_t, int64_t, double, const double *, int64_t, const double *,
                  int64_t, double, double *, int64_t) = sym_ok(blas, "scipy_cblas_dgemm64_");
    enum { N = 300 };
    static double a[N * N], b[N * N], c[N * N];
    for (int i = 0; i < N * N; i++) a[i] = (i % N == i / N), b[i] = i % 7;
    dgemm(101, 111, 111, N, N, N, 1.0, a, N, b, N, 0.0, c, N); /* row major, identity * b */
    for (int i = 0; i < N * N; i++) CHECK(c[i] == b[i], "dgemm element %d: %g", i, c[i]);
    printf("blas ok\n");
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

void case_fuzz(const char *path, unsigned long seed, int count); /* fuzz.c */
void case_load(const char *path);

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
