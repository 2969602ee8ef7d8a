extension ZeroMQLibrary {
    /// Makes glibc's malloc keep the memory of large messages for reuse instead of
    /// returning it to the kernel after every message. The first `Context` calls it; call it
    /// again with a larger size for messages over 16 MiB.
    ///
    /// Why: libzmq allocates each received message, and with CURVE two more buffers of the
    /// message's size, then frees them. With glibc's starting thresholds (128 KiB) such
    /// blocks are mapped and unmapped, or the heap is trimmed, on every message, and every
    /// page is faulted in again: a 407,080-byte CURVE round trip then takes twice as long.
    /// glibc raises its thresholds by itself when a mapped block is freed (mallopt(3),
    /// "dynamic mmap threshold"): to the block's size for mapping, twice that for trimming.
    /// This frees one block of `bytes` (at most 32 MiB, glibc's ceiling) to raise them
    /// once, so that messages up to `bytes` are served from the heap. Other allocators
    /// ignore it. The corresponding C functions are `malloc` and `free`.
    public static func keepLargeMessageMemory(upTo bytes: Int = 16 << 20) {
        let size = min(max(bytes, 1), 32 << 20)
        UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16).deallocate()
    }
}
