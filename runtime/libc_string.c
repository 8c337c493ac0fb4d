/* String and memory routines that replace zig's own libc ones in every binary (docs/libc.md).
 *
 * zig 0.17.1 links musl with some functions re-implemented in Zig (lib/c/string.zig, compiler_rt):
 * memchr, memcmp/bcmp and strnlen compare one byte per iteration, strcmp/strncmp go
 * through a generic bounded compare, and strchr/strchrnul first measure the whole string and only
 * then search it, so a loop that calls strchr(p, '\n') line by line on a long buffer (CPython's
 * tokenizer reading a source string) is quadratic. zig exports all of them as weak symbols, so
 * the strong definitions here, in an object file linked before the archives, take precedence in
 * the executable and in the wheels' shared objects it loads (their libc symbols resolve to the
 * executable's).
 *
 * Word at a time, as musl's C implementations are (8 bytes per step): a word has a zero byte iff
 * HASZERO is non-zero, and its first such byte (little-endian, x86_64 and aarch64) is the lowest
 * set bit's byte. On x86_64, strlen, strchrnul and memchr take 16 bytes per step with SSE2 (part
 * of the x86_64 baseline). Aligned loads never cross a page, so they may read past the terminator; the
 * unaligned loads of strcmp/strncmp are only done when the 8 bytes do not cross a 4 KiB boundary
 * (every page size is a multiple of 4 KiB). no_builtin keeps the compiler from turning a loop
 * back into a call to the function being defined. */
#include <stddef.h>
#include <stdint.h>
#include <locale.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "libc_string.c assumes a little-endian 64-bit CPU (x86_64 or aarch64)"
#endif

typedef uint64_t __attribute__((__may_alias__, __aligned__(1))) unaligned_word;
typedef uint64_t __attribute__((__may_alias__)) aligned_word;

#define WORD sizeof(uint64_t)
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* Non-zero iff x has a zero byte; the lowest set bit marks the first one exactly (carries only
 * propagate above a zero byte). */
#define HASZERO(x) (((x) - ONES) & ~(x) & HIGHS)
#define FIRST_BYTE(mask) ((size_t)__builtin_ctzll(mask) >> 3)
#define LIBC __attribute__((no_builtin, visibility("default")))

static inline int misaligned(const void *p) {
    return (int)((uintptr_t)p & (WORD - 1));
}

/* 8 bytes from p stay within one 4 KiB page. */
static inline int word_fits_page(const void *p) {
    return ((uintptr_t)p & 4095) <= 4096 - WORD;
}

#if defined(__SSE2__)
/* x86_64: 16 bytes per step with SSE2 (every x86_64 CPU has it); the first aligned block is
 * loaded from below s (same page) and the bytes before s masked off. */
static inline unsigned block_mask(const unsigned char *aligned, __m128i pattern) {
    __m128i x = _mm_load_si128((const __m128i *)aligned);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, pattern));
}

LIBC size_t strlen(const char *s) {
    const unsigned char *p = (const unsigned char *)((uintptr_t)s & ~(uintptr_t)15);
    __m128i zero = _mm_setzero_si128();
    unsigned mask = block_mask(p, zero) >> ((uintptr_t)s & 15);
    if (mask) return (size_t)__builtin_ctz(mask);
    for (;;) {
        p += 16;
        mask = block_mask(p, zero);
        if (mask) return (size_t)(p - (const unsigned char *)s) + (size_t)__builtin_ctz(mask);
    }
}

LIBC char *strchrnul(const char *s, int c) {
    const unsigned char *p = (const unsigned char *)((uintptr_t)s & ~(uintptr_t)15);
    __m128i zero = _mm_setzero_si128(), pattern = _mm_set1_epi8((char)c);
    __m128i x = _mm_load_si128((const __m128i *)p);
    unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, zero), _mm_cmpeq_epi8(x, pattern)));
    mask >>= (uintptr_t)s & 15;
    if (mask) return (char *)s + __builtin_ctz(mask);
    for (;;) {
        p += 16;
        x = _mm_load_si128((const __m128i *)p);
        mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, zero), _mm_cmpeq_epi8(x, pattern)));
        if (mask) return (char *)p + __builtin_ctz(mask);
    }
}
#else
LIBC size_t strlen(const char *s) {
    const char *p = s;
    for (; misaligned(p); p++) {
        if (!*p) return (size_t)(p - s);
    }
    const aligned_word *w = (const aligned_word *)p;
    uint64_t mask;
    while (!(mask = HASZERO(*w))) w++;
    return (size_t)((const char *)w - s) + FIRST_BYTE(mask);
}

LIBC char *strchrnul(const char *s, int c) {
    unsigned char ch = (unsigned char)c;
    if (!ch) return (char *)s + strlen(s);
    for (; misaligned(s); s++) {
        if (!*s || *(const unsigned char *)s == ch) return (char *)s;
    }
    uint64_t pattern = ONES * ch;
    const aligned_word *w = (const aligned_word *)s;
    uint64_t mask;
    for (;; w++) {
        uint64_t x = *w;
        mask = HASZERO(x) | HASZERO(x ^ pattern);
        if (mask) break;
    }
    return (char *)w + FIRST_BYTE(mask);
}

#endif

LIBC size_t strnlen(const char *s, size_t n) {
    const char *p = memchr(s, 0, n);
    return p ? (size_t)(p - s) : n;
}

/* musl's own C (getenv, putenv, execvp, strcspn's callers...) calls zig's internal names. */
LIBC char *__strchrnul(const char *s, int c) {
    return strchrnul(s, c);
}

LIBC char *strchr(const char *s, int c) {
    char *p = strchrnul(s, c);
    return *(unsigned char *)p == (unsigned char)c ? p : NULL;
}

LIBC char *strrchr(const char *s, int c) {
    unsigned char ch = (unsigned char)c;
    const char *last = NULL;
    if (!ch) return (char *)s + strlen(s);
    for (;;) {
        const char *p = strchrnul(s, ch);
        if (!*p) return (char *)last;
        last = p;
        s = p + 1;
    }
}

#if defined(__SSE2__)
LIBC void *memchr(const void *src, int c, size_t n) {
    const unsigned char *s = src;
    if (!n) return NULL;
    const unsigned char *p = (const unsigned char *)((uintptr_t)s & ~(uintptr_t)15);
    size_t skip = (size_t)(s - p);
    __m128i pattern = _mm_set1_epi8((char)c);
    unsigned mask = block_mask(p, pattern) >> skip;
    size_t avail = 16 - skip;  /* bytes of s in the first block */
    if (mask) {
        size_t at = (size_t)__builtin_ctz(mask);
        return at < n ? (void *)(s + at) : NULL;
    }
    if (n <= avail) return NULL;
    n -= avail;
    for (p += 16;; p += 16) {
        mask = block_mask(p, pattern);
        if (mask) {
            size_t at = (size_t)__builtin_ctz(mask);
            return at < n ? (void *)(p + at) : NULL;
        }
        if (n <= 16) return NULL;
        n -= 16;
    }
}
#else
LIBC void *memchr(const void *src, int c, size_t n) {
    const unsigned char *s = src;
    unsigned char ch = (unsigned char)c;
    for (; misaligned(s) && n; s++, n--) {
        if (*s == ch) return (void *)s;
    }
    uint64_t pattern = ONES * ch;
    for (; n >= 2 * WORD; s += 2 * WORD, n -= 2 * WORD) {
        const aligned_word *w = (const aligned_word *)s;
        uint64_t m0 = HASZERO(w[0] ^ pattern);
        uint64_t m1 = HASZERO(w[1] ^ pattern);
        if (m0) return (void *)(s + FIRST_BYTE(m0));
        if (m1) return (void *)(s + WORD + FIRST_BYTE(m1));
    }
    for (; n >= WORD; s += WORD, n -= WORD) {
        uint64_t m = HASZERO(*(const aligned_word *)s ^ pattern);
        if (m) return (void *)(s + FIRST_BYTE(m));
    }
    for (; n; s++, n--) {
        if (*s == ch) return (void *)s;
    }
    return NULL;
}

#endif

LIBC void *memrchr(const void *src, int c, size_t n) {
    const unsigned char *s = src;
    unsigned char ch = (unsigned char)c;
    const unsigned char *end = s + n;
    for (; misaligned(end) && end > s; ) {
        if (*--end == ch) return (void *)end;
    }
    uint64_t pattern = ONES * ch;
    while ((size_t)(end - s) >= WORD) {
        uint64_t x = *((const aligned_word *)end - 1) ^ pattern;
        /* The last zero byte: HASZERO may flag a 0x01 byte above a real zero as well, so it is
         * only a hint; the bytes are checked one by one below. */
        if (HASZERO(x)) break;
        end -= WORD;
    }
    while (end > s) {
        if (*--end == ch) return (void *)end;
    }
    return NULL;
}

LIBC void *__memrchr(const void *s, int c, size_t n) {
    return memrchr(s, c, n);
}

/* The byte order of memcmp/strcmp: the first differing byte as unsigned char. */
static inline int compare_words(uint64_t a, uint64_t b) {
    a = __builtin_bswap64(a);
    b = __builtin_bswap64(b);
    return a < b ? -1 : 1;
}

LIBC int memcmp(const void *left, const void *right, size_t n) {
    const unsigned char *a = left, *b = right;
    for (; n >= WORD; a += WORD, b += WORD, n -= WORD) {
        uint64_t x = *(const unaligned_word *)a, y = *(const unaligned_word *)b;
        if (x != y) return compare_words(x, y);
    }
    for (; n; a++, b++, n--) {
        if (*a != *b) return *a - *b;
    }
    return 0;
}

LIBC int bcmp(const void *left, const void *right, size_t n) {
    return memcmp(left, right, n);
}

/* A word of a and b: the result of strcmp if it is decided within it (-255..255), else UNDECIDED. */
#define UNDECIDED 256
static inline int strcmp_word(uint64_t x, uint64_t y) {
    uint64_t zero = HASZERO(x);
    if (x == y && !zero) return UNDECIDED;
    uint64_t diff = x ^ y;
    /* The first byte that differs or ends a: set bits at or below it decide. */
    uint64_t stop = (diff | (zero >> 7) * 0xff);
    size_t at = FIRST_BYTE(stop) * 8;
    int ca = (int)((x >> at) & 0xff), cb = (int)((y >> at) & 0xff);
    return ca - cb;
}

LIBC int strcmp(const char *l, const char *r) {
    return strncmp(l, r, SIZE_MAX);
}

LIBC int strncmp(const char *l, const char *r, size_t n) {
    const unsigned char *a = (const unsigned char *)l, *b = (const unsigned char *)r;
    while (n) {
        if (n >= WORD && word_fits_page(a) && word_fits_page(b)) {
            int result = strcmp_word(*(const unaligned_word *)a, *(const unaligned_word *)b);
            if (result != UNDECIDED) return result;
            a += WORD;
            b += WORD;
            n -= WORD;
        } else {
            if (*a != *b || !*a) return *a - *b;
            a++;
            b++;
            n--;
        }
    }
    return 0;
}

/* Collation in musl's only (C) locale is strcmp; zig's calls its own strcmp directly. */
LIBC int strcoll(const char *l, const char *r) {
    return strcmp(l, r);
}

LIBC int __strcoll_l(const char *l, const char *r, locale_t locale) {
    (void)locale;
    return strcmp(l, r);
}

LIBC int strcoll_l(const char *l, const char *r, locale_t locale) {
    (void)locale;
    return strcmp(l, r);
}
