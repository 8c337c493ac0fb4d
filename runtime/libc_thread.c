/* Mutex and condition-variable entry points that skip musl's atomic instructions while the process
 * has never started a thread (docs/libc.md, "Mutexes and condition variables").
 *
 * CPython releases and takes the GIL around every blocking or long C call (a pthread mutex locked
 * and unlocked twice and a condition variable signalled each time), and SQLite locks its
 * connection's mutex for every API call: pyperformance's sqlite_synth does about 55 mutex
 * lock/unlock pairs and 26 pthread_cond_signal calls per loop. musl (zig 0.17.1's libc, 1.2.5)
 * does each with locked read-modify-write instructions (lock cmpxchg, xchg, and a lock-or barrier
 * in a_store), even when no other thread exists; glibc since 2.34 tests whether the process is
 * single-threaded and then uses plain loads and stores for default mutexes, and its
 * pthread_cond_signal returns at once when nobody waits. Debian's python3.13 gets both.
 *
 * Here, while musl's own flag `__libc.threaded` is 0 (it is set by pthread_create, thrd_create,
 * timer threads, ... before the first clone, and never cleared):
 *   - pthread_mutex_lock/trylock/unlock of a default mutex (type 0: normal, process-private, not
 *     robust, not priority-inheriting) store the same values musl's would (0 free, EBUSY locked),
 *     without atomics; of a process-private recursive one (type 1, SQLite's) they store the owner's
 *     thread id and link the mutex into the thread's list of held mutexes, as musl does;
 *     anything else (contended, a waiter recorded, another type) goes to musl;
 *   - pthread_cond_signal/broadcast of a process-private condition variable return 0: no thread of
 *     this process can be waiting on it.
 * Once a thread exists every call is musl's own. The lock word keeps musl's encoding, so a mutex
 * locked here can be unlocked by musl after a thread was started (thread creation is a full
 * barrier) and musl's internal callers (pthread_cond_timedwait, mtx_*) mix freely with these.
 *
 * musl defines pthread_mutex_* as weak aliases of hidden __pthread_mutex_* (these strong
 * definitions win, as runtime/libc_string.c's do) and pthread_cond_signal/broadcast strongly in
 * one-function archive members, which the link then leaves out. The hidden names used below
 * (__libc, __pthread_mutex_*, __private_cond_signal) resolve within the static link. */
#if defined(__linux__)

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HIDDEN __attribute__((visibility("hidden")))
#define LIBC __attribute__((visibility("default")))

/* The first two members of musl's struct __libc (src/internal/libc.h, musl 1.2.5). */
extern struct {
    char can_do_threads;
    char threaded;
} __libc HIDDEN;

int __pthread_mutex_lock(pthread_mutex_t *m) HIDDEN;
int __pthread_mutex_trylock(pthread_mutex_t *m) HIDDEN;
int __pthread_mutex_unlock(pthread_mutex_t *m) HIDDEN;
int __private_cond_signal(pthread_cond_t *c, int n) HIDDEN;

/* musl's field names (src/internal/pthread_impl.h). */
#define M_TYPE(m) ((m)->__u.__i[0])
#define M_LOCK(m) ((m)->__u.__vi[1])
#define M_WAITERS(m) ((m)->__u.__vi[2])
#define C_SHARED(c) ((c)->__u.__p[0])
#define C_SEQ(c) ((c)->__u.__vi[2])
#define C_WAITERS(c) ((c)->__u.__vi[3])

#define M_PREV(m) ((m)->__u.__p[3])
#define M_NEXT(m) ((m)->__u.__p[4])
#define M_COUNT(m) ((m)->__u.__i[5])

#define COMPILER_BARRIER() __asm__ __volatile__("" ::: "memory")

/* The start of musl's struct pthread (src/internal/pthread_impl.h, musl 1.2.5) up to robust_list,
 * which links the non-normal mutexes a thread holds (pthread_exit marks them owner-dead).
 * aarch64 keeps the TLS above the thread pointer: no dtv or canary before tid.
 * tests/libc_thread/check.c compares it with what musl's own lock writes. */
struct musl_pthread {
    void *self;
#if !defined(__aarch64__)
    void *dtv;
#endif
    void *prev, *next;
    uintptr_t sysinfo;
#if !defined(__aarch64__)
    uintptr_t canary;
#endif
    int tid;
    int errno_val;
    volatile int detach_state;
    volatile int cancel;
    volatile unsigned char canceldisable, cancelasync;
    unsigned char flags;
    unsigned char *map_base;
    size_t map_size;
    void *stack;
    size_t stack_size;
    size_t guard_size;
    void *result;
    void *cancelbuf;
    void **tsd;
    struct {
        volatile void *volatile head;
        long off;
        volatile void *volatile pending;
    } robust_list;
};

static inline struct musl_pthread *self_thread(void) {
    return (struct musl_pthread *)pthread_self();
}

/* Single-threaded lock of an unlocked private recursive mutex: musl's
 * __pthread_mutex_trylock_owner without its compare-and-swap (type 1 sets no robust_list.pending). */
static int lock_recursive(pthread_mutex_t *m) {
    struct musl_pthread *self = self_thread();
    int old = M_LOCK(m);
    if ((old & 0x3fffffff) == self->tid) {
        if ((unsigned)M_COUNT(m) >= INT_MAX) return EAGAIN;
        M_COUNT(m)++;
        return 0;
    }
    if (old) return -1;
    M_LOCK(m) = self->tid;
    volatile void *head = &self->robust_list.head, *next = self->robust_list.head;
    M_NEXT(m) = next;
    M_PREV(m) = head;
    if (next != head) *(volatile void *volatile *)((char *)next - sizeof(void *)) = &M_NEXT(m);
    self->robust_list.head = &M_NEXT(m);
    COMPILER_BARRIER();
    return 0;
}

/* Single-threaded unlock of a private recursive mutex this thread holds: musl's
 * __pthread_mutex_unlock without its exchange; -1 when musl's must do it. */
static int unlock_recursive(pthread_mutex_t *m) {
    struct musl_pthread *self = self_thread();
    int old = M_LOCK(m);
    if (old < 0 || (old & 0x3fffffff) != self->tid || M_WAITERS(m)) return -1;
    if (M_COUNT(m)) {
        M_COUNT(m)--;
        return 0;
    }
    COMPILER_BARRIER();
    volatile void *prev = M_PREV(m), *next = M_NEXT(m);
    *(volatile void *volatile *)prev = next;
    if (next != &self->robust_list.head) *(volatile void *volatile *)((char *)next - sizeof(void *)) = prev;
    M_LOCK(m) = 0;
    return 0;
}

static inline int single_threaded(void) {
    return !*(volatile char *)&__libc.threaded;
}

/* Single-threaded lock of a default or private recursive mutex; -1 when musl's must do it. */
static inline int lock_single_threaded(pthread_mutex_t *m) {
    if (M_TYPE(m) == PTHREAD_MUTEX_NORMAL && M_LOCK(m) == 0) {
        M_LOCK(m) = EBUSY;
        COMPILER_BARRIER();
        return 0;
    }
    if (M_TYPE(m) == PTHREAD_MUTEX_RECURSIVE) return lock_recursive(m);
    return -1;
}

LIBC int pthread_mutex_lock(pthread_mutex_t *m) {
    int r;
    if (single_threaded() && (r = lock_single_threaded(m)) >= 0) return r;
    return __pthread_mutex_lock(m);
}

LIBC int pthread_mutex_trylock(pthread_mutex_t *m) {
    int r;
    if (single_threaded() && (r = lock_single_threaded(m)) >= 0) return r;
    return __pthread_mutex_trylock(m);
}

LIBC int pthread_mutex_unlock(pthread_mutex_t *m) {
    /* musl's unlock of a normal mutex swaps in 0 and wakes a waiter if one is recorded or the
     * word's sign bit says contended: both go to musl. */
    if (single_threaded()) {
        if (M_TYPE(m) == PTHREAD_MUTEX_NORMAL && M_LOCK(m) >= 0 && !M_WAITERS(m)) {
            COMPILER_BARRIER();
            M_LOCK(m) = 0;
            return 0;
        }
        if (M_TYPE(m) == PTHREAD_MUTEX_RECURSIVE && unlock_recursive(m) == 0) return 0;
    }
    return __pthread_mutex_unlock(m);
}

/* musl's pthread_cond_signal/broadcast (src/thread/pthread_cond_signal.c): process-shared ones
 * count waiters in _c_waiters and wake them on the _c_seq futex, possibly in another process. */
static int cond_wake(pthread_cond_t *c, int n) {
    if (!C_SHARED(c)) return single_threaded() ? 0 : __private_cond_signal(c, n);
    if (!C_WAITERS(c)) return 0;
    __atomic_fetch_add(&C_SEQ(c), 1, __ATOMIC_SEQ_CST);
    int saved = errno; /* musl's internal __syscall leaves errno alone */
    syscall(SYS_futex, &C_SEQ(c), 1 /* FUTEX_WAKE */, n < 0 ? INT_MAX : n);
    errno = saved;
    return 0;
}

LIBC int pthread_cond_signal(pthread_cond_t *c) {
    return cond_wake(c, 1);
}

LIBC int pthread_cond_broadcast(pthread_cond_t *c) {
    return cond_wake(c, -1);
}

#endif
