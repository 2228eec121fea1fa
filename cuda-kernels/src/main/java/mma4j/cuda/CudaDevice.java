package mma4j.cuda;

import mma4j.tensor.Device;

/**
 * One GPU as the kernels see it: its runtime (memory, stream, launches), the caching
 * allocator, and launch helpers that check every call against the kernel's signature.
 */
final class CudaDevice {
    static final int BLOCK = 256;

    final Device id;
    final String name;
    final int multiprocessors;
    final long totalBytes;
    final DeviceRuntime runtime;
    final CudaAllocator allocator;

    CudaDevice(Device id, DeviceRuntime runtime) {
        this.id = id;
        this.runtime = runtime;
        this.name = runtime.name();
        this.multiprocessors = Math.max(1, runtime.multiprocessors());
        this.totalBytes = runtime.totalBytes();
        this.allocator = new CudaAllocator(this);
    }

    void synchronize() {
        try {
            runtime.synchronize();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cuda: a kernel on " + id + " failed (reported at synchronize): " + e.getMessage(), e);
        }
    }

    /** Launches on this device's stream; returns before the kernel runs. */
    void launch(Kernel k, int gridX, int gridY, int gridZ, int block, Args args) {
        if (!k.params.equals(args.kinds())) {
            throw new IllegalStateException("cuda: " + k.entry + " takes (" + k.params + ") but was given (" + args.kinds() + ")");
        }
        try {
            runtime.launch(k, gridX, gridY, gridZ, block, args);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cuda: launching " + k.entry + " on " + id + " (grid " + gridX + "x" + gridY + "x" + gridZ
                    + ", block " + block + ") failed: " + e.getMessage(), e);
        }
    }

    /** One thread per element of [0, n), grid-stride beyond a few waves. */
    void launch1d(Kernel k, long n, Args args) {
        if (n <= 0) return;
        launch(k, grid(n, BLOCK), 1, 1, BLOCK, args);
    }

    /** Blocks for n items of blockSize threads each, capped at 32 waves (kernels loop beyond). */
    int grid(long n, int blockSize) {
        long blocks = (n + blockSize - 1) / blockSize;
        return (int) Math.max(1, Math.min(blocks, multiprocessors * 32L));
    }

    @Override
    public String toString() {
        return id + " (" + name + ", " + multiprocessors + " SMs, " + (totalBytes >> 20) + " MiB)";
    }
}
