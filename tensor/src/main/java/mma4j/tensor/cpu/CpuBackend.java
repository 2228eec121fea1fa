package mma4j.tensor.cpu;

import mma4j.tensor.Backend;
import mma4j.tensor.Device;
import mma4j.tensor.Kernels;
import mma4j.tensor.Storage;

/** The built-in backend: Java arrays and the Vector API kernels of this package. */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();
    private final Kernels kernels = new CpuKernels();

    private CpuBackend() {}

    @Override public String type() { return "cpu"; }
    @Override public boolean isAvailable() { return true; }
    @Override public String unavailableReason() { return ""; }
    @Override public int deviceCount() { return 1; }

    @Override
    public Storage allocate(Device device, int floats) {
        return new CpuStorage(new float[floats]);
    }

    @Override
    public Storage upload(Device device, float[] host, int offset, int length) {
        float[] d = new float[length];
        System.arraycopy(host, offset, d, 0, length);
        return new CpuStorage(d);
    }

    @Override
    public void download(Storage storage, int offset, float[] dst, int dstOffset, int length) {
        System.arraycopy(((CpuStorage) storage).data, offset, dst, dstOffset, length);
    }

    @Override public void synchronize(Device device) {}

    @Override public Kernels kernels() { return kernels; }
}
