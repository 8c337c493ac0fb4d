/* Checks runtime/libc_string.c against byte-by-byte reference implementations: every alignment
 * of both operands, lengths 0..80, the searched byte absent, present, '\0' and high-bit (0x80,
 * 0xff), and strings that end at the last byte before an unmapped page (an over-read past a page
 * faults). Prints "ok" and exits 0, or names the first mismatch and exits 1. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL " __VA_ARGS__); printf("\n"); if (++failures > 20) exit(1); } } while (0)

static int sign(int x) { return (x > 0) - (x < 0); }
static size_t ref_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
static const char *ref_strchr(const char *s, int c) {
    for (;; s++) { if (*s == (char)c) return s; if (!*s) return NULL; }
}
static const char *ref_strchrnul(const char *s, int c) { const char *p = ref_strchr(s, c); return p ? p : s + ref_strlen(s); }
static const char *ref_strrchr(const char *s, int c) {
    const char *last = NULL;
    for (;; s++) { if (*s == (char)c) last = s; if (!*s) return last; }
}
static const void *ref_memchr(const void *s, int c, size_t n) {
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++) if (p[i] == (unsigned char)c) return p + i;
    return NULL;
}
static const void *ref_memrchr(const void *s, int c, size_t n) {
    const unsigned char *p = s;
    while (n--) if (p[n] == (unsigned char)c) return p + n;
    return NULL;
}
static int ref_memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) if (x[i] != y[i]) return x[i] - y[i];
    return 0;
}
static int ref_strncmp(const char *a, const char *b, size_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (size_t i = 0; i < n; i++) { if (x[i] != y[i] || !x[i]) return x[i] - y[i]; }
    return 0;
}

static const int CHARS[] = {0, 'a', 'z', 0x01, 0x7f, 0x80, 0xfe, 0xff, 'a' + 256, -1};

/* s: a string of length len (no byte equal to the probes unless placed), in a buffer. */
static void check_string(const char *s, size_t len, const char *where) {
    CHECK(strlen(s) == len, "strlen %s len %zu", where, len);
    for (size_t n = 0; n <= len + 2; n += (n < 20 ? 1 : 7)) CHECK(strnlen(s, n) == (n < len ? n : len), "strnlen %s %zu", where, n);
    for (size_t i = 0; i < sizeof CHARS / sizeof *CHARS; i++) {
        int c = CHARS[i];
        CHECK(strchr(s, c) == ref_strchr(s, c), "strchr %s len %zu c %d", where, len, c);
        CHECK(strchrnul(s, c) == ref_strchrnul(s, c), "strchrnul %s len %zu c %d", where, len, c);
        CHECK(strrchr(s, c) == ref_strrchr(s, c), "strrchr %s len %zu c %d", where, len, c);
        CHECK(memchr(s, c, len) == ref_memchr(s, c, len), "memchr %s len %zu c %d", where, len, c);
        CHECK(memrchr(s, c, len) == ref_memrchr(s, c, len), "memrchr %s len %zu c %d", where, len, c);
    }
}

static void fill(char *p, size_t len, unsigned seed) {
    for (size_t i = 0; i < len; i++) p[i] = (char)('b' + (i * 7 + seed) % 20);
    p[len] = 0;
}

/* Random strings over a small alphabet (so matches and equal prefixes are frequent) with '\0',
 * 0x01, 0x80, 0xff, at random alignments: every function against its reference. Caught a
 * strcmp whose "undecided" marker was a possible result (a byte difference of exactly 2). */
static unsigned long long rng = 88172645463325252ull;
static unsigned next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (unsigned)(rng >> 11); }

static void fuzz(long iterations) {
    static unsigned char A[256], B[256];
    static const unsigned char alphabet[] = "ab\x01\x80\xff=c";
    for (long it = 0; it < iterations; it++) {
        size_t letters = 2 + next() % 6, la = next() % 64, lb = next() % 64;
        unsigned char *a = A + next() % 16, *b = B + next() % 16;
        for (size_t i = 0; i < la; i++) a[i] = alphabet[next() % letters];
        a[la] = 0;
        if (next() % 2) {
            memcpy(b, a, la + 1);
            lb = la;
            if (la && next() % 2) b[next() % la] = (unsigned char)next();
            lb = ref_strlen((const char *)b);
        } else {
            for (size_t i = 0; i < lb; i++) b[i] = alphabet[next() % letters];
            b[lb] = 0;
        }
        int c = (int)alphabet[next() % 8];  /* the 8th is '\0' */
        size_t n = next() % 70, m = n < la ? n : la, mm = n < (la < lb ? la : lb) ? n : (la < lb ? la : lb);
        const char *sa = (const char *)a, *sb = (const char *)b;
        CHECK(strlen(sa) == la && strnlen(sa, n) == (n < la ? n : la), "fuzz strlen %ld", it);
        CHECK(strchr(sa, c) == ref_strchr(sa, c) && strrchr(sa, c) == ref_strrchr(sa, c), "fuzz strchr %ld", it);
        CHECK(memchr(a, c, m) == ref_memchr(a, c, m) && memrchr(a, c, m) == ref_memrchr(a, c, m), "fuzz memchr %ld", it);
        CHECK(sign(strcmp(sa, sb)) == sign(ref_strncmp(sa, sb, (size_t)-1)), "fuzz strcmp %ld", it);
        CHECK(sign(strncmp(sa, sb, n)) == sign(ref_strncmp(sa, sb, n)), "fuzz strncmp %ld", it);
        CHECK(sign(memcmp(a, b, mm)) == sign(ref_memcmp(a, b, mm)), "fuzz memcmp %ld", it);
    }
}

int main(void) {
    static char buf[256], other[256];
    char where[64];
    /* Alignments, lengths, probe bytes at every position. */
    for (size_t align = 0; align < 16; align++) {
        for (size_t len = 0; len <= 80; len++) {
            char *s = buf + align;
            fill(s, len, 0);
            snprintf(where, sizeof where, "align %zu", align);
            check_string(s, len, where);
            for (size_t pos = 0; pos < len; pos++) {
                for (size_t i = 1; i < sizeof CHARS / sizeof *CHARS - 1; i++) {
                    char saved = s[pos];
                    s[pos] = (char)CHARS[i];
                    if (pos + 1 < len) s[len - 1] = (char)CHARS[i];  /* a second one for strrchr/memrchr */
                    snprintf(where, sizeof where, "align %zu pos %zu", align, pos);
                    check_string(s, len, where);
                    s[pos] = saved;
                    fill(s, len, 0);
                }
            }
        }
    }
    /* Comparisons: both alignments, the difference at every position, high-bit differences,
     * a string ending first. */
    for (size_t aa = 0; aa < 9; aa++) {
        for (size_t ab = 0; ab < 9; ab++) {
            for (size_t len = 0; len <= 40; len++) {
                char *a = buf + aa, *b = other + ab;
                fill(a, len, 3);
                fill(b, len, 3);
                for (size_t n = 0; n <= len + 2; n++) {
                    CHECK(memcmp(a, b, n < len ? n : len) == 0, "memcmp equal %zu %zu %zu", aa, ab, n);
                    CHECK(strncmp(a, b, n) == 0, "strncmp equal %zu %zu %zu", aa, ab, n);
                }
                CHECK(strcmp(a, b) == 0, "strcmp equal %zu %zu %zu", aa, ab, len);
                for (size_t pos = 0; pos < len; pos++) {
                    static const unsigned char deltas[] = {0x01, 0x80, 0xff, 0x00};
                    for (size_t d = 0; d < sizeof deltas; d++) {
                        char saved = b[pos];
                        b[pos] = deltas[d] ? (char)deltas[d] : 0;  /* 0: b ends early */
                        for (size_t n = 0; n <= len + 1; n += 1) {
                            size_t m = n < len ? n : len;
                            CHECK(sign(memcmp(a, b, m)) == sign(ref_memcmp(a, b, m)), "memcmp %zu %zu pos %zu n %zu", aa, ab, pos, m);
                            CHECK(sign(memcmp(b, a, m)) == sign(ref_memcmp(b, a, m)), "memcmp rev %zu %zu pos %zu n %zu", aa, ab, pos, m);
                            CHECK(sign(strncmp(a, b, n)) == sign(ref_strncmp(a, b, n)), "strncmp %zu %zu pos %zu n %zu", aa, ab, pos, n);
                            CHECK(sign(strncmp(b, a, n)) == sign(ref_strncmp(b, a, n)), "strncmp rev %zu %zu pos %zu n %zu", aa, ab, pos, n);
                        }
                        CHECK(sign(strcmp(a, b)) == sign(ref_strncmp(a, b, (size_t)-1)), "strcmp %zu %zu pos %zu", aa, ab, pos);
                        CHECK(sign(strcmp(b, a)) == sign(ref_strncmp(b, a, (size_t)-1)), "strcmp rev %zu %zu pos %zu", aa, ab, pos);
                        CHECK((bcmp(a, b, len) != 0) == (ref_memcmp(a, b, len) != 0), "bcmp %zu %zu pos %zu", aa, ab, pos);
                        b[pos] = saved;
                    }
                }
            }
        }
    }
    /* Page boundaries: strings whose terminator is the last byte before a PROT_NONE page. */
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(map != MAP_FAILED, "mmap");
    CHECK(mprotect(map + page, page, PROT_NONE) == 0, "mprotect");
    char *copy = map + page - 100;
    for (size_t len = 0; len < 40; len++) {
        char *s = map + page - 1 - len;
        fill(s, len, 5);
        snprintf(where, sizeof where, "page end");
        check_string(s, len, where);
        memcpy(other, s, len + 1);
        CHECK(strcmp(s, other) == 0 && strcmp(other, s) == 0, "strcmp page end %zu", len);
        CHECK(strncmp(s, other, 1000) == 0 && strncmp(other, s, 1000) == 0, "strncmp page end %zu", len);
        CHECK(memcmp(s, other, len) == 0, "memcmp page end %zu", len);
        for (size_t n = 0; n <= len; n++) CHECK(memchr(s, 'a', n) == NULL && memrchr(s, 'a', n) == NULL, "memchr page end %zu", n);
        /* Two strings both ending at the page end, with different offsets. */
        fill(copy, 20, 5);
        CHECK(sign(strcmp(copy, s)) == sign(ref_strncmp(copy, s, (size_t)-1)), "strcmp two page ends %zu", len);
        CHECK(sign(strcmp(s + (len > 0), s)) == sign(ref_strncmp(s + (len > 0), s, (size_t)-1)), "strcmp shifted page end %zu", len);
    }
    /* A long string: the line-by-line strchr loop of CPython's tokenizer. */
    size_t big = 1 << 20;
    char *text = malloc(big + 1);
    size_t lines = 0, found = 0;
    for (size_t i = 0; i < big; i++) { text[i] = (i % 37 == 36) ? '\n' : (char)('a' + i % 26); lines += text[i] == '\n'; }
    text[big] = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++) found++;
    CHECK(found == lines, "strchr lines %zu != %zu", found, lines);
    CHECK(strlen(text) == big, "strlen big");
    CHECK(memchr(text, 0xff, big) == NULL && memrchr(text, '\n', big) == ref_memrchr(text, '\n', big), "memchr big");
    fuzz(400000);
    /* musl's getenv calls zig's internal __strchrnul, strcoll zig's strcmp: replaced too. */
    CHECK(getenv("LIBC_STRING_NO_SUCH") == NULL && strcoll("a", "b") < 0 && strcoll("b", "b") == 0, "getenv/strcoll");
    if (failures) return 1;
    printf("ok\n");
    return 0;
}
