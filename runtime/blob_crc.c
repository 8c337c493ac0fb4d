/* CRC-32 of the blob's payloads (docs/resource-blob.md, Checksums): zlib's crc32(), the same
 * value, computed on x86_64 CPUs with PCLMULQDQ and SSE4.1 by folding 64 bytes at a time with
 * carry-less multiplication (Intel, "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
 * Instruction", 2009; the bit-reflected constants of its appendix, as zlib-ng and Chromium's zlib
 * use them), about ten times zlib's table-driven speed. Other CPUs, and the bytes left over
 * (under 64, or past the last whole 16), use zlib's crc32(). */
#include "pystatic_runtime.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

/* zlib's, from the libz.a in the distribution's archive (blob.c). */
unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned int len);

static uint32_t crc32_zlib(uint32_t crc, const unsigned char *data, size_t size) {
    while (size > 0) {
        unsigned int chunk = size > (1u << 30) ? (1u << 30) : (unsigned int)size;
        crc = (uint32_t)crc32(crc, data, chunk);
        data += chunk;
        size -= chunk;
    }
    return crc;
}

#if defined(__x86_64__)
/* The CRC register (not inverted) after `size` bytes, size >= 64 and a multiple of 16. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t fold(const unsigned char *buf, size_t size, uint32_t crc) {
    const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
    const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
    const __m128i k5k0 = _mm_set_epi64x(0, 0x0163cd6124);
    const __m128i poly = _mm_set_epi64x(0x01f7011641, 0x01db710641);
    __m128i x0, x1, x2, x3, x4, x5, x6, x7, x8;
    x1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(buf + 0x00)), _mm_cvtsi32_si128((int)crc));
    x2 = _mm_loadu_si128((const __m128i *)(buf + 0x10));
    x3 = _mm_loadu_si128((const __m128i *)(buf + 0x20));
    x4 = _mm_loadu_si128((const __m128i *)(buf + 0x30));
    buf += 64;
    size -= 64;
    /* Four lanes, each folded 512 bits forward. */
    for (x0 = k1k2; size >= 64; buf += 64, size -= 64) {
        x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
        x6 = _mm_clmulepi64_si128(x2, x0, 0x00);
        x7 = _mm_clmulepi64_si128(x3, x0, 0x00);
        x8 = _mm_clmulepi64_si128(x4, x0, 0x00);
        x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, x0, 0x11), x5),
                           _mm_loadu_si128((const __m128i *)(buf + 0x00)));
        x2 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x2, x0, 0x11), x6),
                           _mm_loadu_si128((const __m128i *)(buf + 0x10)));
        x3 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x3, x0, 0x11), x7),
                           _mm_loadu_si128((const __m128i *)(buf + 0x20)));
        x4 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x4, x0, 0x11), x8),
                           _mm_loadu_si128((const __m128i *)(buf + 0x30)));
    }
    /* The four lanes into one, then 128 bits at a time. */
    x0 = k3k4;
    x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, x0, 0x11), x2), x5);
    x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, x0, 0x11), x3), x5);
    x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, x0, 0x11), x4), x5);
    for (; size >= 16; buf += 16, size -= 16) {
        x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
        x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, x0, 0x11), _mm_loadu_si128((const __m128i *)buf)), x5);
    }
    /* 128 bits to 64, then Barrett's reduction to 32. */
    x2 = _mm_clmulepi64_si128(x1, x0, 0x10);
    x3 = _mm_setr_epi32(~0, 0, ~0, 0);
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
    x0 = k5k0;
    x2 = _mm_srli_si128(x1, 4);
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, x3), x0, 0x00), x2);
    x0 = poly;
    x2 = _mm_and_si128(x1, x3);
    x2 = _mm_clmulepi64_si128(x2, x0, 0x10);
    x2 = _mm_and_si128(x2, x3);
    x2 = _mm_clmulepi64_si128(x2, x0, 0x00);
    x1 = _mm_xor_si128(x1, x2);
    return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int has_pclmul(void) {
    static int known = -1;
    if (known < 0) {
        unsigned int a, b, c, d;
        known = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_PCLMUL) && (c & bit_SSE4_1);
    }
    return known;
}
#endif

uint32_t pystatic_crc32(uint32_t crc, const unsigned char *data, size_t size) {
#if defined(__x86_64__)
    if (size >= 64 && has_pclmul()) {
        size_t whole = size & ~(size_t)15;
        crc = ~fold(data, whole, ~crc);
        data += whole;
        size -= whole;
    }
#endif
    return crc32_zlib(crc, data, size);
}
