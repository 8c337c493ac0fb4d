/* Thread-local storage of loaded objects ("dynamic TLS").
 *
 * The executable's own TLS is static (laid out by the linker, set up by musl for every thread);
 * a loaded object's PT_TLS block cannot join it. Each loaded object with PT_TLS gets a module id
 * (from 1) and every thread a lazily grown array of block pointers (pystatic_tls_dtv, indexed by
 * module id, [0] = capacity). A block is allocated the first time its thread touches the module:
 * threads that existed before the dlopen work, and OpenBLAS's 143 KB .tbss costs nothing in
 * threads that never call it. Blocks are freed when the thread exits (a pthread key destructor).
 *
 * Two entry points: __tls_get_addr (general dynamic, x86_64 wheels) and the TLS descriptor
 * resolver pystatic_tlsdesc_dynamic (aarch64 wheels, -mtls-dialect=gnu2 on x86_64), written in
 * assembly because it must preserve every register but its result. Its fast path reads the array
 * without calling C; its slow path saves everything and calls pystatic_tlsdesc_slow. */
#define _GNU_SOURCE
#include "native_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tls_module {
    const void *image;
    size_t filesz, memsz, align;
};

/* Module table, index = id. Grown under the loader lock by publishing a larger copy (old copies
 * are never freed: threads may be reading them without a lock). */
static struct tls_module *_Atomic modules;
static _Atomic size_t module_count;
static size_t module_capacity;

/* The calling thread's block array; local-exec TLS of the executable, read by the assembly. */
__attribute__((visibility("hidden"))) __thread uintptr_t *pystatic_tls_dtv;

static pthread_key_t dtv_key;
static pthread_once_t dtv_key_once = PTHREAD_ONCE_INIT;

static void free_dtv(void *p) {
    uintptr_t *dtv = p;
    for (size_t i = 1; i <= dtv[0]; i++) free((void *)dtv[i]);
    free(dtv);
    pystatic_tls_dtv = NULL;
}

static void make_key(void) {
    if (pthread_key_create(&dtv_key, free_dtv) != 0) {
        static const char message[] = "pystatic: cannot create the TLS key of loaded objects\n";
        write(2, message, sizeof message - 1);
        abort();
    }
}

size_t native_tls_register(struct native_object *o) {
    size_t id = atomic_load_explicit(&module_count, memory_order_relaxed) + 1;
    struct tls_module *table = atomic_load_explicit(&modules, memory_order_relaxed);
    if (id >= module_capacity) {
        size_t capacity = module_capacity ? 2 * module_capacity : 16;
        struct tls_module *bigger = calloc(capacity, sizeof *bigger);
        if (!bigger) return 0;
        if (table) memcpy(bigger, table, module_capacity * sizeof *bigger);
        atomic_store_explicit(&modules, bigger, memory_order_release);
        table = bigger;
        module_capacity = capacity;
    }
    table[id] = (struct tls_module){o->tls_image, o->tls_filesz, o->tls_memsz, o->tls_align};
    atomic_store_explicit(&module_count, id, memory_order_release);
    o->tls_id = id;
    return id;
}

static void tls_abort(const char *what) {
    char message[160];
    int n = snprintf(message, sizeof message, "pystatic: TLS of a loaded object: %s\n", what);
    write(2, message, n > 0 ? (size_t)n : 0);
    abort();
}

/* Allocates the calling thread's block of module id (and grows its array) when missing. */
static unsigned char *block_of(size_t id) {
    uintptr_t *dtv = pystatic_tls_dtv;
    size_t count = atomic_load_explicit(&module_count, memory_order_acquire);
    if (id == 0 || id > count) tls_abort("unknown module id");
    if (!dtv || dtv[0] < id) {
        pthread_once(&dtv_key_once, make_key);
        uintptr_t *bigger = calloc(count + 1, sizeof *bigger);
        if (!bigger) tls_abort("out of memory");
        if (dtv) {
            memcpy(bigger + 1, dtv + 1, dtv[0] * sizeof *bigger);
            free(dtv);
        }
        bigger[0] = count;
        dtv = pystatic_tls_dtv = bigger;
        pthread_setspecific(dtv_key, dtv);
    }
    if (!dtv[id]) {
        const struct tls_module *m = &atomic_load_explicit(&modules, memory_order_acquire)[id];
        size_t align = m->align < sizeof(void *) ? sizeof(void *) : m->align;
        void *block = NULL;
        if (posix_memalign(&block, align, m->memsz ? m->memsz : 1) != 0) tls_abort("out of memory");
        if (m->filesz) memcpy(block, m->image, m->filesz); /* none for .tbss only: no image */
        memset((unsigned char *)block + m->filesz, 0, m->memsz - m->filesz);
        dtv[id] = (uintptr_t)block;
    }
    return (unsigned char *)dtv[id];
}

/* __tls_get_addr for loaded objects: v = {module id, offset}. */
void *pystatic_tls_get_addr(size_t *v) {
    uintptr_t *dtv = pystatic_tls_dtv;
    if (dtv && v[0] <= dtv[0] && dtv[v[0]]) return (unsigned char *)dtv[v[0]] + v[1];
    return block_of(v[0]) + v[1];
}

/* Called by the assembly resolver's slow path; argument = {module id, offset}. */
__attribute__((visibility("hidden"))) void *pystatic_tlsdesc_slow(const size_t *argument) {
    return block_of(argument[0]) + argument[1];
}

void *native_tls_block_if_allocated(size_t id) {
    uintptr_t *dtv = pystatic_tls_dtv;
    return dtv && id && id <= dtv[0] ? (void *)dtv[id] : NULL;
}

/* The second word of a TLS descriptor (never freed: loaded objects are never unloaded). */
void *native_tlsdesc_argument(size_t id, uint64_t offset) {
    size_t *argument = malloc(2 * sizeof *argument);
    if (argument) {
        argument[0] = id;
        argument[1] = offset;
    }
    return argument;
}

#if defined(__x86_64__)
/* In: %rax = the descriptor {resolver, argument}. Out: %rax = block address - thread pointer.
 * musl keeps the thread pointer at %fs:0. */
__asm__(".text\n"
        ".globl pystatic_tlsdesc_dynamic\n"
        ".hidden pystatic_tlsdesc_dynamic\n"
        ".type pystatic_tlsdesc_dynamic,@function\n"
        "pystatic_tlsdesc_dynamic:\n"
        "  movq 8(%rax), %rax\n"                 /* argument {id, offset} */
        "  pushq %rcx\n"
        "  pushq %rdx\n"
        "  movq %fs:pystatic_tls_dtv@tpoff, %rcx\n"
        "  testq %rcx, %rcx\n"
        "  jz 1f\n"
        "  movq (%rax), %rdx\n"
        "  cmpq (%rcx), %rdx\n"
        "  ja 1f\n"
        "  movq (%rcx,%rdx,8), %rcx\n"
        "  testq %rcx, %rcx\n"
        "  jz 1f\n"
        "  addq 8(%rax), %rcx\n"
        "  subq %fs:0, %rcx\n"
        "  movq %rcx, %rax\n"
        "  popq %rdx\n"
        "  popq %rcx\n"
        "  ret\n"
        "1:\n"
        "  pushq %rbp\n"
        "  movq %rsp, %rbp\n"
        "  pushq %rsi\n"
        "  pushq %rdi\n"
        "  pushq %r8\n"
        "  pushq %r9\n"
        "  pushq %r10\n"
        "  pushq %r11\n"
        "  andq $-16, %rsp\n"
        "  subq $256, %rsp\n"
        "  movaps %xmm0, 0(%rsp)\n  movaps %xmm1, 16(%rsp)\n  movaps %xmm2, 32(%rsp)\n"
        "  movaps %xmm3, 48(%rsp)\n  movaps %xmm4, 64(%rsp)\n  movaps %xmm5, 80(%rsp)\n"
        "  movaps %xmm6, 96(%rsp)\n  movaps %xmm7, 112(%rsp)\n  movaps %xmm8, 128(%rsp)\n"
        "  movaps %xmm9, 144(%rsp)\n  movaps %xmm10, 160(%rsp)\n  movaps %xmm11, 176(%rsp)\n"
        "  movaps %xmm12, 192(%rsp)\n  movaps %xmm13, 208(%rsp)\n  movaps %xmm14, 224(%rsp)\n"
        "  movaps %xmm15, 240(%rsp)\n"
        "  movq %rax, %rdi\n"
        "  call pystatic_tlsdesc_slow\n"
        "  subq %fs:0, %rax\n"
        "  movaps 0(%rsp), %xmm0\n  movaps 16(%rsp), %xmm1\n  movaps 32(%rsp), %xmm2\n"
        "  movaps 48(%rsp), %xmm3\n  movaps 64(%rsp), %xmm4\n  movaps 80(%rsp), %xmm5\n"
        "  movaps 96(%rsp), %xmm6\n  movaps 112(%rsp), %xmm7\n  movaps 128(%rsp), %xmm8\n"
        "  movaps 144(%rsp), %xmm9\n  movaps 160(%rsp), %xmm10\n  movaps 176(%rsp), %xmm11\n"
        "  movaps 192(%rsp), %xmm12\n  movaps 208(%rsp), %xmm13\n  movaps 224(%rsp), %xmm14\n"
        "  movaps 240(%rsp), %xmm15\n"
        "  leaq -48(%rbp), %rsp\n"
        "  popq %r11\n"
        "  popq %r10\n"
        "  popq %r9\n"
        "  popq %r8\n"
        "  popq %rdi\n"
        "  popq %rsi\n"
        "  popq %rbp\n"
        "  popq %rdx\n"
        "  popq %rcx\n"
        "  ret\n"
        ".size pystatic_tlsdesc_dynamic, .-pystatic_tlsdesc_dynamic\n");
#elif defined(__aarch64__)
/* In: x0 = the descriptor {resolver, argument}. Out: x0 = block address - TPIDR_EL0.
 * Everything else is preserved (x30 too: the caller's blr already clobbered it, but cheap). */
__asm__(".text\n"
        ".globl pystatic_tlsdesc_dynamic\n"
        ".hidden pystatic_tlsdesc_dynamic\n"
        ".type pystatic_tlsdesc_dynamic,%function\n"
        "pystatic_tlsdesc_dynamic:\n"
        "  ldr x0, [x0, #8]\n"
        "  stp x1, x2, [sp, #-32]!\n"
        "  str x3, [sp, #16]\n"
        "  mrs x2, tpidr_el0\n"
        "  add x1, x2, #:tprel_hi12:pystatic_tls_dtv, lsl #12\n"
        "  add x1, x1, #:tprel_lo12_nc:pystatic_tls_dtv\n"
        "  ldr x1, [x1]\n"
        "  cbz x1, 1f\n"
        "  ldr x3, [x0]\n"
        "  ldr x2, [x1]\n"
        "  cmp x3, x2\n"
        "  b.hi 1f\n"
        "  ldr x1, [x1, x3, lsl #3]\n"
        "  cbz x1, 1f\n"
        "  ldr x3, [x0, #8]\n"
        "  add x1, x1, x3\n"
        "  mrs x2, tpidr_el0\n"
        "  sub x0, x1, x2\n"
        "  ldr x3, [sp, #16]\n"
        "  ldp x1, x2, [sp], #32\n"
        "  ret\n"
        "1:\n"
        "  stp x29, x30, [sp, #-16]!\n"
        "  mov x29, sp\n"
        "  stp x4, x5, [sp, #-16]!\n  stp x6, x7, [sp, #-16]!\n  stp x8, x9, [sp, #-16]!\n"
        "  stp x10, x11, [sp, #-16]!\n  stp x12, x13, [sp, #-16]!\n  stp x14, x15, [sp, #-16]!\n"
        "  stp x16, x17, [sp, #-16]!\n  str x18, [sp, #-16]!\n"
        "  stp q0, q1, [sp, #-32]!\n  stp q2, q3, [sp, #-32]!\n  stp q4, q5, [sp, #-32]!\n"
        "  stp q6, q7, [sp, #-32]!\n  stp q8, q9, [sp, #-32]!\n  stp q10, q11, [sp, #-32]!\n"
        "  stp q12, q13, [sp, #-32]!\n  stp q14, q15, [sp, #-32]!\n  stp q16, q17, [sp, #-32]!\n"
        "  stp q18, q19, [sp, #-32]!\n  stp q20, q21, [sp, #-32]!\n  stp q22, q23, [sp, #-32]!\n"
        "  stp q24, q25, [sp, #-32]!\n  stp q26, q27, [sp, #-32]!\n  stp q28, q29, [sp, #-32]!\n"
        "  stp q30, q31, [sp, #-32]!\n"
        "  bl pystatic_tlsdesc_slow\n"
        "  mrs x1, tpidr_el0\n"
        "  sub x0, x0, x1\n"
        "  ldp q30, q31, [sp], #32\n  ldp q28, q29, [sp], #32\n  ldp q26, q27, [sp], #32\n"
        "  ldp q24, q25, [sp], #32\n  ldp q22, q23, [sp], #32\n  ldp q20, q21, [sp], #32\n"
        "  ldp q18, q19, [sp], #32\n  ldp q16, q17, [sp], #32\n  ldp q14, q15, [sp], #32\n"
        "  ldp q12, q13, [sp], #32\n  ldp q10, q11, [sp], #32\n  ldp q8, q9, [sp], #32\n"
        "  ldp q6, q7, [sp], #32\n  ldp q4, q5, [sp], #32\n  ldp q2, q3, [sp], #32\n"
        "  ldp q0, q1, [sp], #32\n"
        "  ldr x18, [sp], #16\n  ldp x16, x17, [sp], #16\n  ldp x14, x15, [sp], #16\n"
        "  ldp x12, x13, [sp], #16\n  ldp x10, x11, [sp], #16\n  ldp x8, x9, [sp], #16\n"
        "  ldp x6, x7, [sp], #16\n  ldp x4, x5, [sp], #16\n"
        "  ldp x29, x30, [sp], #16\n"
        "  ldr x3, [sp, #16]\n"
        "  ldp x1, x2, [sp], #32\n"
        "  ret\n"
        ".size pystatic_tlsdesc_dynamic, .-pystatic_tlsdesc_dynamic\n");
#endif
