#ifndef DIGITS_CFUTEX_H
#define DIGITS_CFUTEX_H

#include <stdint.h>

/// Sleeps while *word == expected, for at most timeout_ns nanoseconds, on a word that may be
/// in memory shared between processes (a non-private futex). Returns 0 when woken or when the
/// word had already changed, 1 on timeout, -1 on another error.
int digits_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns);

/// Wakes every process sleeping on *word.
void digits_futex_wake(uint32_t *word);

/// A one-message mailbox in shared memory, written by one side and read by the other,
/// guarded by a sequence lock: sequence (u32, odd while being written), length (u32), bytes.

/// Writes `length` bytes (at most `capacity`) into the mailbox at `box`; returns the new
/// (even) sequence number, or 0 when the message does not fit.
uint32_t digits_mailbox_post(void *box, uint32_t capacity, const void *bytes, uint32_t length);

/// The mailbox's sequence number as it is now (acquire).
uint32_t digits_mailbox_sequence(const void *box);

/// Copies the message out if its sequence differs from `seen` and it is not being written:
/// returns its length and stores its sequence in *sequence; returns -1 when there is nothing
/// new, -2 when a writer is busy or changed it during the copy (try again), -3 when the
/// length is larger than `capacity` (a broken writer).
int64_t digits_mailbox_read(const void *box, uint32_t capacity, uint32_t seen, void *out, uint32_t *sequence);

#endif
