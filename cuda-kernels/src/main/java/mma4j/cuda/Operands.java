package mma4j.cuda;

import java.util.Arrays;
import mma4j.tensor.Tensor;

/** Device memory behind tensors: addresses for kernel arguments, and checks that name the op. */
final class Operands {
    private Operands() {}

    static CudaStorage storage(String op, Tensor t) {
        if (t.storage() instanceof CudaStorage s) return s;
        throw new IllegalArgumentException(op + ": a tensor on " + t.device() + " reached the CUDA kernels; move it with to(device)");
    }

    /** The device of the tensors (nulls skipped); they must all be on it. */
    static CudaDevice device(String op, Tensor... ts) {
        CudaDevice dev = null;
        for (Tensor t : ts) {
            if (t == null) continue;
            CudaDevice d = storage(op, t).cudaDevice();
            if (dev == null) dev = d;
            else if (d != dev) throw new IllegalArgumentException(op + ": tensors on different devices, " + dev.id + " and " + d.id);
        }
        if (dev == null) throw new IllegalArgumentException(op + ": no CUDA tensor given");
        return dev;
    }

    /** Address of the storage's first float (strided kernels add the view offsets themselves). */
    static long base(String op, Tensor t) {
        return storage(op, t).address();
    }

    /** Address of the view's first element; 0 (nullptr) for a null tensor. */
    static long at(String op, Tensor t) {
        return t == null ? 0L : storage(op, t).address() + 4L * t.offset();
    }

    /** t itself when contiguous, else a contiguous copy (on the device). */
    static Tensor dense(Tensor t) {
        return t == null || t.isContiguous() ? t : t.contiguous();
    }

    static void requireContiguous(String op, String name, Tensor t) {
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(op + ": " + name + " must be contiguous, got shape " + Arrays.toString(t.shape()) + " strides " + Arrays.toString(t.strides()));
        }
    }

    /**
     * Runs body on an output that kernels can write densely: the output itself when contiguous,
     * else a contiguous stand-in (holding out's values when {@code keepValues}) copied back after.
     */
    static void intoDense(Tensor out, boolean keepValues, java.util.function.Consumer<Tensor> body) {
        if (out.isContiguous()) {
            body.accept(out);
            return;
        }
        Tensor tmp = keepValues ? out.contiguous() : out.newTensor(out.shape());
        body.accept(tmp);
        out.kernels().copy(tmp, out);
        tmp.storage().close();
    }
}
