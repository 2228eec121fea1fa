package mma4j.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator over cuMemAlloc, as PyTorch's: a released block goes to a free list of its
 * (rounded) size and the next request of that size takes it without a driver call, which keeps
 * the training loop's many same-sized temporaries cheap. Reuse is safe without waiting because
 * every use of a device's memory is ordered on the device's single stream: a block is released
 * only after its last kernel was enqueued, so the next user's kernels run after it.
 *
 * <p>When cuMemAlloc runs out of memory the cache is emptied; if that is not enough, the GC is
 * asked to run so that the {@link java.lang.ref.Cleaner} returns the memory of unreachable tensors.
 */
final class CudaAllocator {
    private static final long SMALL = 1L << 20;

    private final CudaDevice device;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long cachedBytes;
    private long inUseBytes;
    private long peakBytes;

    CudaAllocator(CudaDevice device) {
        this.device = device;
    }

    /** Sizes are rounded so that similar requests share blocks: 512 B below 1 MiB, 2 MiB above. */
    static long roundUp(long bytes) {
        long unit = bytes < SMALL ? 512 : 2L << 20;
        return (bytes + unit - 1) / unit * unit;
    }

    /** The address of a block of at least {@code bytes}; its exact size is roundUp(bytes). */
    long allocate(long bytes) {
        long size = roundUp(bytes);
        long p = tryAllocate(size);
        if (p != 0) return p;
        // Memory of tensors nobody closed returns only when the GC notices them unreachable.
        System.gc();
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p = tryAllocate(size);
        if (p != 0) return p;
        long[] info = device.runtime.memoryInfo();
        synchronized (this) {
            throw new IllegalStateException(String.format(
                    "cuda: out of memory on %s allocating %.1f MiB (in use by tensors %.1f MiB, cached %.1f MiB, device free %.1f of %.1f MiB); close() tensors you no longer need",
                    device.id, mib(size), mib(inUseBytes), mib(cachedBytes), mib(info[0]), mib(info[1])));
        }
    }

    /** A cached block of the size, else a new one (emptying the cache once if needed); 0 when out of memory. */
    private synchronized long tryAllocate(long size) {
        ArrayDeque<Long> list = free.get(size);
        Long cached = list == null ? null : list.pollLast();
        long p;
        if (cached != null) {
            p = cached;
            cachedBytes -= size;
        } else {
            p = device.runtime.allocate(size);
            if (p == 0) {
                emptyCacheLocked();
                p = device.runtime.allocate(size);
                if (p == 0) return 0;
            }
        }
        inUseBytes += size;
        peakBytes = Math.max(peakBytes, inUseBytes);
        return p;
    }

    /** Returns a block to the cache (called by close() or the Cleaner, on any thread). */
    synchronized void release(long p, long size) {
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).addLast(p);
        inUseBytes -= size;
        cachedBytes += size;
    }

    /** Gives every cached block back to the driver. */
    synchronized void emptyCache() {
        emptyCacheLocked();
    }

    private void emptyCacheLocked() {
        if (cachedBytes == 0) return;
        device.runtime.synchronize();  // no kernel may still use a block we free
        for (ArrayDeque<Long> list : free.values()) {
            for (long p : list) device.runtime.free(p);
        }
        free.clear();
        cachedBytes = 0;
    }

    synchronized long inUseBytes() {
        return inUseBytes;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long peakBytes() {
        return peakBytes;
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
