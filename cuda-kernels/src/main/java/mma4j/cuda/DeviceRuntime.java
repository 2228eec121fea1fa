package mma4j.cuda;

/**
 * What the backend needs from one GPU: memory, copies, launches and a stream to order them.
 * {@link JCudaRuntime} is the real one (the CUDA driver API through JCuda); the tests add a CPU
 * emulation of the same kernels, so every line of the Java side runs on machines without a GPU.
 *
 * <p>Launches, allocation and zeroing are ordered on one stream; copies to the host wait for it.
 */
interface DeviceRuntime {
    String name();

    int multiprocessors();

    long totalBytes();

    /** A new block of device memory, or 0 when the device is out of memory. */
    long allocate(long bytes);

    void free(long address);

    /** Sets {@code floats} floats at the address to 0, in stream order. */
    void zero(long address, long floats);

    void copyToDevice(long address, float[] src, int srcOffset, int count);

    void copyToDevice(long address, int[] src, int srcOffset, int count);

    /** Waits for the stream, then copies. */
    void copyToHost(long address, float[] dst, int dstOffset, int count);

    void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, Args args);

    void synchronize();

    /** {free, total} bytes on the device, for out-of-memory messages. */
    long[] memoryInfo();
}
