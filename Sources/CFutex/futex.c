#include "CFutex.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

int digits_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) {
    if (timeout_ns < 0) timeout_ns = 0;
    struct timespec t = { .tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000 };
    long r = syscall(SYS_futex, word, FUTEX_WAIT, expected, &t, NULL, 0);
    if (r == 0 || errno == EAGAIN || errno == EINTR) return 0;
    return errno == ETIMEDOUT ? 1 : -1;
}

void digits_futex_wake(uint32_t *word) {
    syscall(SYS_futex, word, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}
#else
/* No futex: a short sleep instead. Shared regions are only offered where /proc tells which
   machine and namespaces a process is in, i.e. on Linux, so this only keeps the build whole. */
int digits_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) {
    if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != expected) return 0;
    if (timeout_ns > 50000) timeout_ns = 50000;
    struct timespec t = { .tv_sec = 0, .tv_nsec = timeout_ns < 0 ? 0 : timeout_ns };
    nanosleep(&t, NULL);
    return 0;
}

void digits_futex_wake(uint32_t *word) { (void)word; }
#endif

uint32_t digits_mailbox_post(void *box, uint32_t capacity, const void *bytes, uint32_t length) {
    if (length > capacity) return 0;
    uint32_t *sequence = (uint32_t *)box, *size = sequence + 1;
    uint32_t next = __atomic_load_n(sequence, __ATOMIC_RELAXED);
    next += (next & 1) ? 1 : 2; // from an odd value (a writer died mid-post) to the next even one
    if (next == 0) next = 2;
    __atomic_store_n(sequence, next - 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(size, length, __ATOMIC_RELAXED);
    memcpy(sequence + 2, bytes, length);
    __atomic_store_n(sequence, next, __ATOMIC_RELEASE);
    return next;
}

uint32_t digits_mailbox_sequence(const void *box) {
    return __atomic_load_n((const uint32_t *)box, __ATOMIC_ACQUIRE);
}

int64_t digits_mailbox_read(const void *box, uint32_t capacity, uint32_t seen, void *out, uint32_t *sequence) {
    const uint32_t *s = (const uint32_t *)box;
    uint32_t before = __atomic_load_n(s, __ATOMIC_ACQUIRE);
    if (before == seen) return -1;
    if (before & 1) return -2;
    uint32_t length = __atomic_load_n(s + 1, __ATOMIC_RELAXED);
    if (length > capacity) return -3;
    memcpy(out, s + 2, length);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(s, __ATOMIC_RELAXED) != before) return -2;
    *sequence = before;
    return length;
}
