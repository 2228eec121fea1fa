package mma4j.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;

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
    private final Map<Long, ArrayDeque<DevicePointer>> free = new HashMap<>();
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

    /** A block of at least {@code bytes}; its exact size is roundUp(bytes). */
    DevicePointer allocate(long bytes) {
        long size = roundUp(bytes);
        DevicePointer p = tryAllocate(size);
        if (p != null) return p;
        // Memory of tensors nobody closed returns only when the GC notices them unreachable.
        System.gc();
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p = tryAllocate(size);
        if (p != null) return p;
        long[] freeB = new long[1], total = new long[1];
        synchronized (this) {
            device.enter();
            cuMemGetInfo(freeB, total);
            throw new IllegalStateException(String.format(
                    "cuda: out of memory on %s allocating %.1f MiB (in use by tensors %.1f MiB, cached %.1f MiB, device free %.1f of %.1f MiB); close() tensors you no longer need",
                    device.id, mib(size), mib(inUseBytes), mib(cachedBytes), mib(freeB[0]), mib(total[0])));
        }
    }

    private synchronized DevicePointer tryAllocate(long size) {
        ArrayDeque<DevicePointer> list = free.get(size);
        DevicePointer p = list == null ? null : list.pollLast();
        if (p != null) {
            cachedBytes -= size;
        } else {
            p = driverAlloc(size);
            if (p == null) {
                emptyCacheLocked();
                p = driverAlloc(size);
                if (p == null) return null;
            }
        }
        inUseBytes += size;
        peakBytes = Math.max(peakBytes, inUseBytes);
        return p;
    }

    private DevicePointer driverAlloc(long size) {
        device.enter();
        DevicePointer p = new DevicePointer();
        try {
            cuMemAlloc(p, size);
            return p;
        } catch (CudaException e) {
            if (e.getMessage() != null && e.getMessage().contains("OUT_OF_MEMORY")) return null;
            throw e;
        }
    }

    /** Returns a block to the cache (called by close() or the Cleaner, on any thread). */
    synchronized void release(DevicePointer p, long size) {
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
        device.enter();
        cuStreamSynchronize(device.stream());  // no kernel may still use a block we free
        for (ArrayDeque<DevicePointer> list : free.values()) {
            for (DevicePointer p : list) cuMemFree(p);
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
