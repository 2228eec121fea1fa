package mma4j.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;

/** The kernelParams array of one cuLaunchKernel call, built in the kernel's parameter order. */
final class Args {
    private final List<Pointer> params = new ArrayList<>();

    /** A device address (a {@code const float*} or {@code float*} parameter); 0 is nullptr. */
    Args ptr(long address) {
        params.add(Pointer.to(new long[] {address}));
        return this;
    }

    Args i(int v) {
        params.add(Pointer.to(new int[] {v}));
        return this;
    }

    /** A {@code long long} parameter. */
    Args l(long v) {
        params.add(Pointer.to(new long[] {v}));
        return this;
    }

    Args f(float v) {
        params.add(Pointer.to(new float[] {v}));
        return this;
    }

    /** A {@code Layout} struct passed by value. */
    Args layout(Layout layout) {
        params.add(Pointer.to(layout.packed()));
        return this;
    }

    Pointer build() {
        return Pointer.to(params.toArray(new Pointer[0]));
    }
}
