/* The cases of `harness` that run threads: TLS, C++ exceptions, loading while others unwind,
 * fork, real libraries (OpenBLAS's own threads). */
#define _GNU_SOURCE
#include "harness.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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

void case_tls(void) {
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

void case_cxx(void) {
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

void case_concurrent(void) {
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

void case_fork(void) {
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

/* `harness real LIB...`: real libraries (a wheel's .libs) loaded from disk; OpenBLAS, when
 * present, multiplies matrices on its own threads (its 143 KB .tbss). */
static void *blas_thread(void *arg) {
    double (*ddot)(int64_t, const double *, int64_t, const double *, int64_t) = arg;
    double x[100], y[100];
    for (int i = 0; i < 100; i++) x[i] = i, y[i] = 2;
    for (int round = 0; round < 100; round++) CHECK(ddot(100, x, 1, y, 1) == 9900.0, "ddot");
    return NULL;
}

void case_real(int count, char **paths) {
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

