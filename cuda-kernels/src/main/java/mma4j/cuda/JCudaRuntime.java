package mma4j.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * One GPU through JCuda's binding of the CUDA driver API: its primary context, one stream, and
 * the PTX modules (JIT-compiled by the driver on first use of each).
 *
 * <p>The stream is a blocking stream (CU_STREAM_DEFAULT), so the plain synchronous copies (issued
 * on the legacy default stream) wait for the kernels before them, and kernels after them wait
 * for the copies. Every call first makes the context current, because the calling thread may be
 * any thread (a worker pool, the Cleaner).
 */
final class JCudaRuntime implements DeviceRuntime {
    private final CUcontext context;
    private final CUstream stream;
    private final String name;
    private final int multiprocessors;
    private final long totalBytes;
    /** Live blocks by address: copies address memory inside a block as base pointer + offset. */
    private final ConcurrentSkipListMap<Long, DevicePointer> blocks = new ConcurrentSkipListMap<>();
    private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
    private final Map<Kernel, CUfunction> functions = new ConcurrentHashMap<>();

    private JCudaRuntime(CUcontext context, CUstream stream, String name, int multiprocessors, long totalBytes) {
        this.context = context;
        this.stream = stream;
        this.name = name;
        this.multiprocessors = multiprocessors;
        this.totalBytes = totalBytes;
    }

    static JCudaRuntime open(int index) {
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, index);
        CUcontext ctx = new CUcontext();
        cuDevicePrimaryCtxRetain(ctx, dev);
        cuCtxSetCurrent(ctx);
        CUstream stream = new CUstream();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT);
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, dev);
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) len++;
        int[] sms = new int[1];
        cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
        long[] total = new long[1];
        cuDeviceTotalMem(total, dev);
        return new JCudaRuntime(ctx, stream, new String(nameBytes, 0, len, StandardCharsets.US_ASCII), sms[0], total[0]);
    }

    private void enter() {
        cuCtxSetCurrent(context);
    }

    @Override public String name() { return name; }
    @Override public int multiprocessors() { return multiprocessors; }
    @Override public long totalBytes() { return totalBytes; }

    @Override
    public long allocate(long bytes) {
        enter();
        DevicePointer p = new DevicePointer();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            if (e.getMessage() != null && e.getMessage().contains("OUT_OF_MEMORY")) return 0L;
            throw e;
        }
        blocks.put(p.address(), p);
        return p.address();
    }

    @Override
    public void free(long address) {
        DevicePointer p = blocks.remove(address);
        if (p == null) throw new IllegalStateException("cuda: free of unknown address 0x" + Long.toHexString(address));
        enter();
        cuMemFree(p);
    }

    /** A pointer JCuda accepts for an address inside a live block. */
    private CUdeviceptr pointer(long address) {
        Map.Entry<Long, DevicePointer> e = blocks.floorEntry(address);
        if (e == null) throw new IllegalStateException("cuda: address 0x" + Long.toHexString(address) + " is in no live block");
        return e.getValue().withByteOffset(address - e.getKey());
    }

    @Override
    public void zero(long address, long floats) {
        enter();
        cuMemsetD32Async(pointer(address), 0, floats, stream);
    }

    @Override
    public void copyToDevice(long address, float[] src, int srcOffset, int count) {
        enter();
        cuMemcpyHtoD(pointer(address), Pointer.to(src).withByteOffset(4L * srcOffset), 4L * count);
    }

    @Override
    public void copyToDevice(long address, int[] src, int srcOffset, int count) {
        enter();
        cuMemcpyHtoD(pointer(address), Pointer.to(src).withByteOffset(4L * srcOffset), 4L * count);
    }

    @Override
    public void copyToHost(long address, float[] dst, int dstOffset, int count) {
        synchronize();
        cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOffset), pointer(address), 4L * count);
    }

    private CUfunction function(Kernel k) {
        return functions.computeIfAbsent(k, kk -> {
            CUmodule module = modules.computeIfAbsent(kk.module, m -> {
                CUmodule mod = new CUmodule();
                cuModuleLoadData(mod, Ptx.image(m));
                return mod;
            });
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, kk.entry);
            return f;
        });
    }

    @Override
    public void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, Args args) {
        enter();
        cuLaunchKernel(function(kernel), gridX, gridY, gridZ, block, 1, 1, 0, stream, params(args), null);
    }

    /** cuLaunchKernel's kernelParams: one pointer per argument to a copy of its value. */
    private static Pointer params(Args args) {
        List<Object> values = args.values();
        String kinds = args.kinds();
        Pointer[] ps = new Pointer[values.size()];
        for (int i = 0; i < ps.length; i++) {
            Object v = values.get(i);
            ps[i] = switch (kinds.charAt(i)) {
                case 'p', 'l' -> Pointer.to(new long[] {(Long) v});
                case 'i' -> Pointer.to(new int[] {(Integer) v});
                case 'f' -> Pointer.to(new float[] {(Float) v});
                case 'L' -> Pointer.to((int[]) v);
                default -> throw new IllegalStateException("unknown argument kind " + kinds.charAt(i));
            };
        }
        return Pointer.to(ps);
    }

    @Override
    public void synchronize() {
        enter();
        cuStreamSynchronize(stream);
    }

    @Override
    public long[] memoryInfo() {
        enter();
        long[] free = new long[1], total = new long[1];
        cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }
}
