/* Checks runtime/libc_thread.c linked with zig's libc (tests/libc_thread/test_libc_thread.py).
 *
 * argv[1] is "ours" (linked with runtime/libc_thread.c) or "musl" (without): the first asserts
 * pthread_mutex_lock & co. are not musl's (musl's pthread_mutex_lock is an alias of the hidden
 * __pthread_mutex_lock), the second that they are (so the first check can fail). Everything else
 * must pass either way: the same results as musl's own functions, before any thread, across the
 * first pthread_create, with threads contending, after fork, and for process-shared objects. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int __pthread_mutex_lock(pthread_mutex_t *m) __attribute__((visibility("hidden")));
int __pthread_mutex_trylock(pthread_mutex_t *m) __attribute__((visibility("hidden")));
int __pthread_mutex_unlock(pthread_mutex_t *m) __attribute__((visibility("hidden")));
extern struct {
    char can_do_threads;
    char threaded;
} __libc __attribute__((visibility("hidden")));

static int failures;
#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                           \
        }                                                                         \
    } while (0)

/* The lock word (musl's _m_lock): 0 free, EBUSY locked (normal mutexes). */
static int word(pthread_mutex_t *m) {
    return m->__u.__vi[1];
}

#define M_PREV(m) ((m)->__u.__p[3])
#define M_NEXT(m) ((m)->__u.__p[4])

/* musl links every held non-normal mutex into its thread's robust_list (head in struct pthread):
 * locks and unlocks through either implementation keep one consistent list and the owner's id. */
static void recursive_list(pthread_mutexattr_t *a) {
    pthread_mutex_t r1, r2;
    pthread_mutex_init(&r1, a);
    pthread_mutex_init(&r2, a);
    CHECK(__pthread_mutex_lock(&r1) == 0);
    volatile void *head = M_PREV(&r1);
    CHECK(*(volatile void **)head == &M_NEXT(&r1) && M_NEXT(&r1) == head);
    CHECK(word(&r1) == (int)syscall(SYS_gettid));
    CHECK(pthread_mutex_lock(&r2) == 0 && pthread_mutex_lock(&r2) == 0);
    CHECK(word(&r2) == word(&r1));
    CHECK(M_PREV(&r2) == head && *(volatile void **)head == &M_NEXT(&r2) && M_NEXT(&r2) == &M_NEXT(&r1) &&
          M_PREV(&r1) == &M_NEXT(&r2));
    CHECK(pthread_mutex_unlock(&r1) == 0 && word(&r1) == 0);
    CHECK(M_NEXT(&r2) == head && *(volatile void **)head == &M_NEXT(&r2));
    CHECK(pthread_mutex_unlock(&r2) == 0 && word(&r2) != 0); /* still held once */
    CHECK(__pthread_mutex_unlock(&r2) == 0 && word(&r2) == 0 && *(volatile void **)head == head);
    CHECK(pthread_mutex_trylock(&r1) == 0 && *(volatile void **)head == &M_NEXT(&r1));
    CHECK(__pthread_mutex_unlock(&r1) == 0 && *(volatile void **)head == head);
}

static void single_threaded(void) {
    CHECK(!__libc.threaded);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    CHECK(pthread_mutex_lock(&m) == 0 && word(&m) == EBUSY);
    CHECK(pthread_mutex_trylock(&m) == EBUSY);
    CHECK(pthread_mutex_unlock(&m) == 0 && word(&m) == 0);
    CHECK(pthread_mutex_trylock(&m) == 0 && word(&m) == EBUSY);
    /* Mixed with musl's own (its internal callers use those). */
    CHECK(__pthread_mutex_unlock(&m) == 0 && word(&m) == 0);
    CHECK(__pthread_mutex_lock(&m) == 0 && word(&m) == EBUSY);
    CHECK(pthread_mutex_unlock(&m) == 0 && word(&m) == 0);
    CHECK(__pthread_mutex_trylock(&m) == 0);
    CHECK(pthread_mutex_unlock(&m) == 0);

    pthread_mutexattr_t a;
    pthread_mutex_t r, e;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&r, &a);
    CHECK(pthread_mutex_lock(&r) == 0 && pthread_mutex_lock(&r) == 0 && pthread_mutex_trylock(&r) == 0);
    CHECK(pthread_mutex_unlock(&r) == 0 && pthread_mutex_unlock(&r) == 0 && pthread_mutex_unlock(&r) == 0);
    CHECK(pthread_mutex_unlock(&r) == EPERM);
    recursive_list(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&e, &a);
    CHECK(pthread_mutex_lock(&e) == 0 && pthread_mutex_lock(&e) == EDEADLK && pthread_mutex_trylock(&e) == EBUSY);
    CHECK(pthread_mutex_unlock(&e) == 0 && pthread_mutex_unlock(&e) == EPERM);

    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    CHECK(pthread_cond_signal(&c) == 0 && pthread_cond_broadcast(&c) == 0);
    CHECK(!__libc.threaded);
}

/* Mutexes locked before the first thread exists, unlocked after: the new thread blocks in each
 * (musl records it as a waiter) and must be woken by the unlock. */
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER, held_recursive;
static volatile int got_it, got_recursive;

static void *take_held(void *arg) {
    (void)arg;
    pthread_mutex_lock(&held);
    got_it = 1;
    pthread_mutex_unlock(&held);
    pthread_mutex_lock(&held_recursive);
    got_recursive = 1;
    pthread_mutex_unlock(&held_recursive);
    return 0;
}

static void first_thread(void) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&held_recursive, &a);
    CHECK(pthread_mutex_lock(&held) == 0);
    CHECK(pthread_mutex_lock(&held_recursive) == 0 && pthread_mutex_lock(&held_recursive) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, 0, take_held, 0) == 0);
    CHECK(__libc.threaded);
    usleep(50000);
    CHECK(!got_it);
    CHECK(pthread_mutex_unlock(&held) == 0);
    usleep(50000);
    CHECK(got_it && !got_recursive);
    CHECK(pthread_mutex_unlock(&held_recursive) == 0);
    usleep(20000);
    CHECK(!got_recursive);
    CHECK(pthread_mutex_unlock(&held_recursive) == 0);
    pthread_join(t, 0);
    CHECK(got_recursive && word(&held) == 0 && word(&held_recursive) == 0);
}

/* Threads contending: a counter under a mutex, and a producer/consumer on a condition variable. */
#define THREADS 4
#define ROUNDS 200000
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static int queued, consumed, done;

static void *count(void *arg) {
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return 0;
}

static void *consume(void *arg) {
    (void)arg;
    pthread_mutex_lock(&queue_lock);
    for (;;) {
        while (!queued && !done) pthread_cond_wait(&queue_cond, &queue_lock);
        if (!queued) break;
        queued--;
        consumed++;
    }
    pthread_mutex_unlock(&queue_lock);
    return 0;
}

static void contended(void) {
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], 0, count, 0) == 0);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], 0);
    CHECK(counter == (long)THREADS * ROUNDS);

    for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], 0, consume, 0) == 0);
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&queue_lock);
        queued++;
        if (i & 1) pthread_cond_signal(&queue_cond);
        else pthread_cond_broadcast(&queue_cond);
        pthread_mutex_unlock(&queue_lock);
    }
    pthread_mutex_lock(&queue_lock);
    done = 1;
    pthread_cond_broadcast(&queue_cond);
    pthread_mutex_unlock(&queue_lock);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], 0);
    CHECK(consumed == 20000 && queued == 0);
}

/* Process-shared mutex and condition variable in shared memory, used by a parent and a child
 * process, each single-threaded when `before_threads`: the single-thread shortcut must not apply. */
struct shared {
    pthread_mutex_t m;
    pthread_cond_t c;
    long counter;
    int ready;
};

static void process_shared(void) {
    struct shared *s = mmap(0, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(s != MAP_FAILED);
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->m, &ma);
    pthread_cond_init(&s->c, &ca);
    pid_t child = fork();
    if (child == 0) {
        pthread_mutex_lock(&s->m);
        while (!s->ready) pthread_cond_wait(&s->c, &s->m);
        pthread_mutex_unlock(&s->m);
        for (int i = 0; i < ROUNDS; i++) {
            pthread_mutex_lock(&s->m);
            s->counter++;
            pthread_mutex_unlock(&s->m);
        }
        _exit(0);
    }
    usleep(50000); /* the child is waiting on the condition variable by now, most likely */
    pthread_mutex_lock(&s->m);
    s->ready = 1;
    pthread_cond_signal(&s->c);
    pthread_mutex_unlock(&s->m);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&s->m);
        s->counter++;
        pthread_mutex_unlock(&s->m);
    }
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(s->counter == 2L * ROUNDS);
    munmap(s, sizeof *s);
}

/* fork from a threaded process: the child keeps musl's atomic paths and works. */
static void fork_after_threads(void) {
    pid_t child = fork();
    if (child == 0) {
        pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
        int ok = pthread_mutex_lock(&m) == 0 && pthread_mutex_trylock(&m) == EBUSY && pthread_mutex_unlock(&m) == 0;
        _exit(ok && __libc.threaded ? 0 : 1);
    }
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Whether two functions have different addresses; through volatile, as the compiler assumes two
 * declared functions never share one (an alias does). */
static int differ(int (*a)(pthread_mutex_t *), int (*b)(pthread_mutex_t *)) {
    int (*volatile va)(pthread_mutex_t *) = a, (*volatile vb)(pthread_mutex_t *) = b;
    return va != vb;
}

int main(int argc, char **argv) {
    int ours = argc > 1 && !strcmp(argv[1], "ours");
    int replaced = differ(pthread_mutex_lock, __pthread_mutex_lock) && differ(pthread_mutex_unlock, __pthread_mutex_unlock) &&
                   differ(pthread_mutex_trylock, __pthread_mutex_trylock);
    CHECK(replaced == ours);
    single_threaded();
    process_shared();
    first_thread();
    contended();
    fork_after_threads();
    if (failures) return 1;
    puts("ok");
    return 0;
}
