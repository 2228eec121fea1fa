package mma4j.cuda;

import java.lang.ref.Cleaner;
import mma4j.tensor.Device;
import mma4j.tensor.Storage;

/**
 * Floats in device memory. {@link #close()} gives the memory back at once (to the device's
 * caching allocator); a storage nobody closes is given back by a {@link Cleaner} after the GC
 * finds it unreachable. Java cannot read it: every access goes through {@link CudaBackend}.
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaDevice device;
    private final int size;
    private final Block block;
    private final Cleaner.Cleanable cleanable;
    private int version;

    /** The memory itself, kept apart from the storage so the Cleaner can free it after the storage is gone. */
    private static final class Block implements Runnable {
        final CudaAllocator allocator;
        final long address;  // 0 for an empty storage
        final long bytes;
        volatile boolean released;

        Block(CudaAllocator allocator, long address, long bytes) {
            this.allocator = allocator;
            this.address = address;
            this.bytes = bytes;
        }

        @Override
        public void run() {
            released = true;
            if (address != 0) allocator.release(address, bytes);
        }
    }

    /** {@code zero}: fill with 0 (on the stream) as CPU storage starts; uploads skip it. */
    CudaStorage(CudaDevice device, int floats, boolean zero) {
        if (floats < 0) throw new IllegalArgumentException("cuda: cannot allocate " + floats + " floats");
        this.device = device;
        this.size = floats;
        long bytes = CudaAllocator.roundUp(4L * floats);
        long p = floats == 0 ? 0L : device.allocator.allocate(4L * floats);
        this.block = new Block(device.allocator, p, bytes);
        this.cleanable = CLEANER.register(this, block);
        if (zero && p != 0) device.runtime.zero(p, floats);
    }

    CudaDevice cudaDevice() {
        return device;
    }

    /** The device address of float 0 (0 for an empty storage). */
    long address() {
        checkLive();
        return block.address;
    }

    private void checkLive() {
        if (block.released) throw new IllegalStateException("cuda: storage of " + size + " floats on " + device.id + " used after close()");
    }

    public boolean isClosed() {
        return block.released;
    }

    @Override
    public Device device() {
        return device.id;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public void bumpVersion() {
        version++;
    }

    @Override
    public void close() {
        cleanable.clean();
    }
}
