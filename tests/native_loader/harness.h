/* Shared by harness.c (the embedded files, helpers) and cases.c (the test cases). */
#ifndef NL_HARNESS_H
#define NL_HARNESS_H
#include "harness_api.h"
#include "native_loader.h"

#include <stdio.h>
#include <unistd.h>

#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                       \
            printf(__VA_ARGS__);                                                         \
            printf("\n");                                                                \
            fflush(stdout);                                                              \
            _exit(1);                                                                    \
        }                                                                                \
    } while (0)

#define E "/embedded"
typedef int (*int_fn)(void);

extern struct pystatic_image fuzz_image; /* served as /fuzz/damaged.so when data != NULL */
void load_index(void);
void *open_ok(const char *path, int flags);
void *sym_ok(void *handle, const char *name);
void expect_error(const char *path, const char *part1, const char *part2);

/* threads.c */
void case_tls(void);
void case_cxx(void);
void case_concurrent(void);
void case_fork(void);
void case_real(int count, char **paths);
/* fuzz.c */
void case_fuzz(const char *path, unsigned long seed, int count);
void case_load(const char *path);
#endif
