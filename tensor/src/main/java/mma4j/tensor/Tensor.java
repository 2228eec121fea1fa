package mma4j.tensor;

import java.util.Arrays;
import mma4j.tensor.cpu.CpuStorage;

/**
 * A float32 n-d array: a {@link Storage} read through a shape, strides and an offset.
 *
 * <p>Views (reshape when possible, permute, transpose, narrow, select, expand, squeeze, unsqueeze)
 * share storage and copy nothing. Ops return new contiguous tensors; methods ending in
 * {@code InPlace} write into this tensor and bump its storage version, which autograd checks.
 * Shape errors throw {@link IllegalArgumentException} naming the op and the shapes.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    /**
     * A tensor over existing storage. Checked: ranks agree, sizes are not negative, and every
     * element it can address lies inside the storage (so a bad view fails here, not in a kernel).
     */
    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("Tensor: shape " + Shapes.str(shape) + " and strides " + Arrays.toString(strides) + " differ in rank");
        }
        long lo = offset, hi = offset;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) throw new IllegalArgumentException("Tensor: negative size in shape " + Shapes.str(shape));
            if (shape[i] == 0) empty = true;
            long span = (long) (shape[i] - 1) * strides[i];
            if (span > 0) hi += span;
            else lo += span;
        }
        if (!empty && (lo < 0 || hi >= storage.size())) {
            throw new IllegalArgumentException("Tensor: shape " + Shapes.str(shape) + " with strides " + Arrays.toString(strides) + " and offset " + offset
                    + " reaches outside a storage of " + storage.size() + " elements");
        }
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    public static Tensor empty(Device device, int... shape) {
        int n = Shapes.numel("empty", shape);
        Storage s = Backends.forDevice(device).allocate(device, n);
        return new Tensor(s, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** A new CPU tensor; its values are zeros (Java arrays start zeroed), but only zeros() promises that. */
    public static Tensor empty(int... shape) {
        return allocate("empty", shape);
    }

    private static Tensor allocate(String op, int[] shape) {
        int n = Shapes.numel(op, shape);
        return new Tensor(new CpuStorage(new float[n]), shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    public static Tensor zeros(int... shape) {
        return allocate("zeros", shape);
    }

    public static Tensor ones(int... shape) {
        Tensor t = allocate("ones", shape);
        Arrays.fill(t.array(), 1f);
        return t;
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = allocate("full", shape);
        Arrays.fill(t.array(), value);
        return t;
    }

    public static Tensor scalar(float value) {
        return full(value);
    }

    /** Wraps the array without copying (like torch.from_numpy). */
    public static Tensor wrap(float[] data, int... shape) {
        int n = Shapes.numel("wrap", shape);
        if (n != data.length) {
            throw new IllegalArgumentException("wrap: " + data.length + " values do not fill shape " + Shapes.str(shape) + " (" + n + " elements)");
        }
        return new Tensor(new CpuStorage(data), shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** Copies the values into a new tensor of the given shape. */
    public static Tensor of(float[] values, int... shape) {
        return wrap(values.clone(), shape);
    }

    /** A 1-d tensor holding the values. */
    public static Tensor vector(float... values) {
        return wrap(values.clone(), values.length);
    }

    /** 0, 1, ..., n-1. */
    public static Tensor arange(int n) {
        if (n < 0) throw new IllegalArgumentException("arange: negative size " + n);
        return arange(0, n, 1);
    }

    /** start, start+step, ... while short of end (PyTorch's rule: ceil((end-start)/step) values). */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || !Float.isFinite(step) || !Float.isFinite(start) || !Float.isFinite(end)) {
            throw new IllegalArgumentException("arange: start " + start + ", end " + end + " and step " + step + " must be finite, step non-zero");
        }
        if (start != end && (end > start) != (step > 0)) {
            throw new IllegalArgumentException("arange: step " + step + " moves away from end " + end + " starting at " + start);
        }
        double count = Math.ceil(((double) end - start) / step);
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("arange: " + count + " values is more than 2^31-1");
        int n = (int) Math.max(0, count);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (start + (double) i * step);
        return wrap(d, n);
    }

    /** Uniform in [0, 1). */
    public static Tensor rand(Generator g, int... shape) {
        Tensor t = allocate("rand", shape);
        float[] d = t.array();
        for (int i = 0; i < d.length; i++) d[i] = g.nextFloat();
        return t;
    }

    /** Uniform in [lo, hi). */
    public static Tensor uniform(Generator g, float lo, float hi, int... shape) {
        if (!(lo <= hi)) throw new IllegalArgumentException("uniform: lo " + lo + " must be <= hi " + hi + " for shape " + Shapes.str(shape));
        Tensor t = allocate("uniform", shape);
        float[] d = t.array();
        for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * g.nextFloat();
        return t;
    }

    /** Standard normal. */
    public static Tensor randn(Generator g, int... shape) {
        Tensor t = allocate("randn", shape);
        float[] d = t.array();
        for (int i = 0; i < d.length; i++) d[i] = (float) g.nextGaussian();
        return t;
    }

    /** A new contiguous tensor of this shape on this tensor's device. */
    public Tensor emptyLike() {
        return newTensor(shape);
    }

    public Tensor zerosLike() {
        Tensor t = newTensor(shape);
        if (!device().isCpu()) kernels().fill(t, 0f);
        return t;
    }

    /** A new contiguous tensor of the given shape on this tensor's device (zeros on the CPU). */
    public Tensor newTensor(int... shape) {
        return device().isCpu() ? empty(shape) : empty(device(), shape);
    }

    // ---------------------------------------------------------------- info

    public int[] shape() {
        return shape.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    /** The stride of one axis (no array copy, for kernels' inner loops); negative axes count from the end. */
    public int stride(int axis) {
        return strides[Shapes.axis("stride", axis, shape.length, shape)];
    }

    public int offset() {
        return offset;
    }

    public int dim() {
        return shape.length;
    }

    public int size(int axis) {
        return shape[Shapes.axis("size", axis, shape.length, shape)];
    }

    public int numel() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public Storage storage() {
        return storage;
    }

    public Device device() {
        return storage.device();
    }

    public Backend backend() {
        return Backends.forDevice(device());
    }

    public Kernels kernels() {
        return backend().kernels();
    }

    /** Storage version; changes on every in-place write to this storage through any view. */
    public int version() {
        return storage.version();
    }

    /** Dense row-major memory (strides of size-1 dims do not matter; an empty tensor always is). */
    public boolean isContiguous() {
        for (int d : shape) if (d == 0) return true;
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    public boolean sameShape(Tensor o) {
        return Arrays.equals(shape, o.shape);
    }

    /** The backing array of a CPU tensor (read it through offset and strides). */
    public float[] array() {
        if (storage instanceof CpuStorage c) return c.data;
        throw new IllegalStateException("array(): tensor lives on " + device() + "; call cpu() first");
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalArgumentException("item: tensor of shape " + Shapes.str(shape) + " has " + numel() + " elements, not 1");
        return toArray()[0];
    }

    public float get(int... index) {
        Tensor c = cpu(); // one download for a device tensor, not two
        return c.array()[c.flatOffset("get", index)];
    }

    /** Writes one element in place. */
    public void set(float value, int... index) {
        array()[flatOffset("set", index)] = value;
        storage.bumpVersion();
    }

    private int flatOffset(String op, int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(op + ": " + index.length + " indices for shape " + Shapes.str(shape));
        }
        int o = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IllegalArgumentException(op + ": index " + Arrays.toString(index) + " out of range for shape " + Shapes.str(shape));
            }
            o += index[i] * strides[i];
        }
        return o;
    }

    /** A fresh row-major copy of the values on the host. */
    public float[] toArray() {
        if (numel() == 0) return new float[0]; // an empty view's offset may lie past its storage
        Tensor c = contiguous();
        float[] out = new float[c.numel()];
        if (c.storage instanceof CpuStorage cs) {
            System.arraycopy(cs.data, c.offset, out, 0, out.length);
        } else {
            c.backend().download(c.storage, c.offset, out, 0, out.length);
        }
        return out;
    }

    /** This tensor on the host (itself if already there). */
    public Tensor cpu() {
        return device().isCpu() ? this : wrap(toArray(), shape);
    }

    /** This tensor on another device (itself if already there). */
    public Tensor to(Device target) {
        if (target.equals(device())) return this;
        if (target.isCpu()) return cpu();
        float[] host = toArray();
        Storage s = Backends.forDevice(target).upload(target, host, 0, host.length);
        return new Tensor(s, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    // ---------------------------------------------------------------- views

    /** A view with a new shape (one dimension may be -1); fails if the strides do not allow it. */
    public Tensor view(int... newShape) {
        int[] ns = inferShape("view", newShape);
        int[] st = viewStrides(ns);
        if (st == null) {
            throw new IllegalArgumentException("view: cannot view shape " + Shapes.str(shape) + " with strides " + Arrays.toString(strides)
                    + " as " + Shapes.str(ns) + " without copying; call reshape() or contiguous() first");
        }
        return new Tensor(storage, ns, st, offset);
    }

    /** Like view, but copies when the memory layout does not allow a view. */
    public Tensor reshape(int... newShape) {
        int[] ns = inferShape("reshape", newShape);
        int[] st = viewStrides(ns);
        return st != null ? new Tensor(storage, ns, st, offset) : contiguous().view(ns);
    }

    private int[] inferShape(String op, int[] newShape) {
        int[] ns = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < ns.length; i++) {
            if (ns[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1 in " + Shapes.str(newShape));
                infer = i;
            } else if (ns[i] < 0) {
                throw new IllegalArgumentException(op + ": negative size in " + Shapes.str(newShape) + " for tensor of shape " + Shapes.str(shape));
            } else {
                known *= ns[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + Shapes.str(newShape) + " is invalid for input of shape " + Shapes.str(shape) + " (" + n + " elements)");
            }
            ns[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + Shapes.str(newShape) + " is invalid for input of shape " + Shapes.str(shape) + " (" + n + " elements)");
        }
        return ns;
    }

    /** Strides that view this tensor's memory as newShape, or null when impossible (ATen's computeStride). */
    private int[] viewStrides(int[] ns) {
        if (shape.length == 0) {
            int[] st = new int[ns.length];
            Arrays.fill(st, 1);
            return st;
        }
        if (numel() == 0 || isContiguous()) return Shapes.contiguousStrides(ns);
        int[] out = new int[ns.length];
        int viewD = ns.length - 1;
        long chunkBase = strides[shape.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            // A chunk ends where the next dimension to the left is not laid out right after this run.
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || ns[viewD] == 1)) {
                    out[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= ns[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? out : null;
    }

    /** Reorders dimensions. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " does not match the rank of shape " + Shapes.str(shape));
        }
        int[] ns = new int[order.length], st = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int a = Shapes.axis("permute", order[i], shape.length, shape);
            if (seen[a]) throw new IllegalArgumentException("permute: axis " + order[i] + " repeated in " + Arrays.toString(order) + " for shape " + Shapes.str(shape));
            seen[a] = true;
            ns[i] = shape[a];
            st[i] = strides[a];
        }
        return new Tensor(storage, ns, st, offset);
    }

    public Tensor transpose(int a, int b) {
        int x = Shapes.axis("transpose", a, shape.length, shape), y = Shapes.axis("transpose", b, shape.length, shape);
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        order[x] = y;
        order[y] = x;
        return permute(order);
    }

    /** Transpose of a 2-d tensor. */
    public Tensor t() {
        if (shape.length != 2) throw new IllegalArgumentException("t: expects a 2-d tensor, got shape " + Shapes.str(shape));
        return transpose(0, 1);
    }

    /** Elements start..start+length-1 along an axis. */
    public Tensor narrow(int axis, int start, int length) {
        int a = Shapes.axis("narrow", axis, shape.length, shape);
        if (start < 0 || length < 0 || start + length > shape[a]) {
            throw new IllegalArgumentException("narrow: start " + start + " length " + length + " out of range for axis " + axis + " of shape " + Shapes.str(shape));
        }
        int[] ns = shape.clone();
        ns[a] = length;
        return new Tensor(storage, ns, strides.clone(), offset + (length == 0 ? 0 : start * strides[a]));
    }

    /** Alias of narrow with an end index (PyTorch's slicing). */
    public Tensor slice(int axis, int start, int end) {
        return narrow(axis, start, end - start);
    }

    /** Every step-th element of start..end-1 along an axis, as a view (x[..., start:end:step]). */
    public Tensor slice(int axis, int start, int end, int step) {
        int a = Shapes.axis("slice", axis, shape.length, shape);
        if (step < 1 || start < 0 || end < start || end > shape[a]) {
            throw new IllegalArgumentException("slice: start " + start + ", end " + end + ", step " + step
                    + " out of range for axis " + axis + " of shape " + Shapes.str(shape) + " (need 0 <= start <= end <= size, step >= 1)");
        }
        int[] ns = shape.clone(), st = strides.clone();
        ns[a] = (end - start + step - 1) / step;
        st[a] = strides[a] * step;
        return new Tensor(storage, ns, st, offset + (ns[a] == 0 ? 0 : start * strides[a]));
    }

    /** Index one position along an axis (negative counts from the end), dropping that axis. */
    public Tensor select(int axis, int index) {
        int a = Shapes.axis("select", axis, shape.length, shape);
        if (index < 0 && index >= -shape[a]) index += shape[a];
        if (index < 0 || index >= shape[a]) {
            throw new IllegalArgumentException("select: index " + index + " out of range for axis " + axis + " of shape " + Shapes.str(shape));
        }
        int[] ns = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int i = 0, k = 0; i < shape.length; i++) {
            if (i == a) continue;
            ns[k] = shape[i];
            st[k++] = strides[i];
        }
        return new Tensor(storage, ns, st, offset + index * strides[a]);
    }

    /** Broadcasts size-1 dimensions (and new leading ones) to the target shape without copying. */
    public Tensor expand(int... target) {
        if (target.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.str(shape) + " to fewer dimensions " + Shapes.str(target));
        }
        int lead = target.length - shape.length;
        int[] ns = target.clone(), st = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            if (i < lead) {
                if (target[i] < 0) throw new IllegalArgumentException("expand: negative size in " + Shapes.str(target) + " for shape " + Shapes.str(shape));
                st[i] = 0;
                continue;
            }
            int d = shape[i - lead];
            if (target[i] == -1) ns[i] = d;
            else if (target[i] < 0) throw new IllegalArgumentException("expand: negative size in " + Shapes.str(target) + " for shape " + Shapes.str(shape));
            if (d == ns[i]) st[i] = strides[i - lead];
            else if (d == 1) st[i] = 0;
            else throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.str(shape) + " to " + Shapes.str(target));
        }
        return new Tensor(storage, ns, st, offset);
    }

    /** Drops every size-1 dimension. */
    public Tensor squeeze() {
        int n = 0;
        for (int d : shape) if (d != 1) n++;
        int[] ns = new int[n], st = new int[n];
        for (int i = 0, k = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            ns[k] = shape[i];
            st[k++] = strides[i];
        }
        return new Tensor(storage, ns, st, offset);
    }

    /** Drops one size-1 dimension (a no-op if it is not size 1, as in PyTorch). */
    public Tensor squeeze(int axis) {
        int a = Shapes.axis("squeeze", axis, shape.length, shape);
        if (shape[a] != 1) return this;
        int[] ns = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int i = 0, k = 0; i < shape.length; i++) {
            if (i == a) continue;
            ns[k] = shape[i];
            st[k++] = strides[i];
        }
        return new Tensor(storage, ns, st, offset);
    }

    /** Inserts a size-1 dimension at the axis (which may equal the rank). */
    public Tensor unsqueeze(int axis) {
        int a = axis < 0 ? axis + shape.length + 1 : axis;
        if (a < 0 || a > shape.length) {
            throw new IllegalArgumentException("unsqueeze: axis " + axis + " out of range for shape " + Shapes.str(shape));
        }
        int[] ns = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int i = 0, k = 0; i <= shape.length; i++) {
            if (i == a) {
                ns[i] = 1;
                st[i] = a < shape.length ? strides[a] * shape[a] : 1;
            } else {
                ns[i] = shape[k];
                st[i] = strides[k++];
            }
        }
        return new Tensor(storage, ns, st, offset);
    }

    /** All dimensions in one (a 0-d tensor becomes [1]). */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** Merges dimensions start..end (inclusive) into one; a view when the strides allow it. */
    public Tensor flatten(int start, int end) {
        if (shape.length == 0 && (start == 0 || start == -1) && (end == 0 || end == -1)) return reshape(1);
        int s = Shapes.axis("flatten", start, shape.length, shape), e = Shapes.axis("flatten", end, shape.length, shape);
        if (s > e) throw new IllegalArgumentException("flatten: start " + start + " after end " + end + " for shape " + Shapes.str(shape));
        int[] ns = new int[shape.length - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) ns[k++] = shape[i];
        int m = 1;
        for (int i = s; i <= e; i++) m *= shape[i];
        ns[k++] = m;
        for (int i = e + 1; i < shape.length; i++) ns[k++] = shape[i];
        return reshape(ns);
    }

    /** This tensor if already contiguous, else a dense copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : copy();
    }

    /** A dense copy that shares nothing with this tensor. */
    public Tensor copy() {
        Tensor out = newTensor(shape);
        kernels().copy(this, out);
        return out;
    }

    /** Same as copy (PyTorch's name). */
    @Override
    public Tensor clone() {
        return copy();
    }

    // ---------------------------------------------------------------- elementwise

    private Tensor unary(UnaryOp op, float p, float q) {
        Tensor out = newTensor(shape);
        kernels().unary(op, this, p, q, out);
        return out;
    }

    public Tensor neg() { return unary(UnaryOp.NEG, 0, 0); }
    public Tensor abs() { return unary(UnaryOp.ABS, 0, 0); }
    public Tensor exp() { return unary(UnaryOp.EXP, 0, 0); }
    public Tensor log() { return unary(UnaryOp.LOG, 0, 0); }
    public Tensor sqrt() { return unary(UnaryOp.SQRT, 0, 0); }
    public Tensor rsqrt() { return unary(UnaryOp.RSQRT, 0, 0); }
    public Tensor square() { return unary(UnaryOp.SQUARE, 0, 0); }
    public Tensor reciprocal() { return unary(UnaryOp.RECIPROCAL, 0, 0); }
    public Tensor sign() { return unary(UnaryOp.SIGN, 0, 0); }
    public Tensor relu() { return unary(UnaryOp.RELU, 0, 0); }
    public Tensor sigmoid() { return unary(UnaryOp.SIGMOID, 0, 0); }
    public Tensor tanh() { return unary(UnaryOp.TANH, 0, 0); }
    public Tensor acos() { return unary(UnaryOp.ACOS, 0, 0); }
    public Tensor pow(float exponent) { return unary(UnaryOp.POW, exponent, 0); }
    public Tensor add(float s) { return unary(UnaryOp.ADD_SCALAR, s, 0); }
    public Tensor sub(float s) { return unary(UnaryOp.ADD_SCALAR, -s, 0); }
    public Tensor mul(float s) { return unary(UnaryOp.MUL_SCALAR, s, 0); }
    /** True division, bit for bit x / s (not x * (1/s), which can differ in the last bit). */
    public Tensor div(float s) { return binary(BinaryOp.DIV, full(s).to(device())); }
    public Tensor gt(float s) { return unary(UnaryOp.GT_SCALAR, s, 0); }

    public Tensor clamp(float min, float max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " > max " + max + " for shape " + Shapes.str(shape));
        return unary(UnaryOp.CLAMP, min, max);
    }

    private Tensor binary(BinaryOp op, Tensor o) {
        checkSameDevice(op.name().toLowerCase(), o);
        int[] outShape = Shapes.broadcast(op.name().toLowerCase(), shape, o.shape);
        Tensor out = newTensor(outShape);
        kernels().binary(op, expand(outShape), o.expand(outShape), out);
        return out;
    }

    public Tensor add(Tensor o) { return binary(BinaryOp.ADD, o); }
    public Tensor sub(Tensor o) { return binary(BinaryOp.SUB, o); }
    public Tensor mul(Tensor o) { return binary(BinaryOp.MUL, o); }
    public Tensor div(Tensor o) { return binary(BinaryOp.DIV, o); }
    public Tensor maximum(Tensor o) { return binary(BinaryOp.MAX, o); }
    public Tensor minimum(Tensor o) { return binary(BinaryOp.MIN, o); }
    public Tensor pow(Tensor o) { return binary(BinaryOp.POW, o); }
    public Tensor eq(Tensor o) { return binary(BinaryOp.EQ, o); }
    public Tensor ne(Tensor o) { return binary(BinaryOp.NE, o); }
    public Tensor lt(Tensor o) { return binary(BinaryOp.LT, o); }
    public Tensor le(Tensor o) { return binary(BinaryOp.LE, o); }
    public Tensor gt(Tensor o) { return binary(BinaryOp.GT, o); }
    public Tensor ge(Tensor o) { return binary(BinaryOp.GE, o); }

    /** cond != 0 ? a : b, broadcasting all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        a.checkSameDevice("where", cond);
        a.checkSameDevice("where", b);
        int[] s = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, a.shape), b.shape);
        Tensor out = a.newTensor(s);
        a.kernels().where(cond.expand(s), a.expand(s), b.expand(s), out);
        return out;
    }

    void checkSameDevice(String op, Tensor o) {
        if (!device().equals(o.device())) {
            throw new IllegalArgumentException(op + ": tensors on different devices, " + device() + " and " + o.device());
        }
    }

    // ---------------------------------------------------------------- in place

    /*
     * In-place rules (PyTorch's, with one friendlier choice): the target may be any view, but not
     * one whose elements share memory (an expanded view); the operand must broadcast to the
     * target's shape without growing it; an operand that overlaps the target in memory in a
     * different layout (x += x.t()) is copied first, so every element reads the old values.
     */

    /** Marks this tensor's storage as written by a kernel outside Tensor's own in-place ops (autograd's saved-tensor check reads it). */
    void markModified(String op) {
        checkWritable(op);
        storage.bumpVersion();
    }

    private void checkWritable(String op) {
        for (int i = 0; i < shape.length; i++) {
            if (strides[i] == 0 && shape[i] > 1) {
                throw new IllegalArgumentException(op + ": the target of shape " + Shapes.str(shape) + " with strides " + Arrays.toString(strides)
                        + " has elements that share memory (an expanded view); call contiguous() first");
            }
        }
    }

    /** The operand broadcast to this shape, copied if it shares memory with this tensor in another layout. */
    private Tensor operandFor(String op, Tensor o) {
        checkSameDevice(op, o);
        int[] s = Shapes.broadcast(op, shape, o.shape);
        if (!Arrays.equals(s, shape)) {
            throw new IllegalArgumentException(op + ": operand of shape " + Shapes.str(o.shape) + " broadcasts to " + Shapes.str(s)
                    + ", not to the target's shape " + Shapes.str(shape));
        }
        Tensor e = o.expand(shape);
        boolean sameLayout = e.offset == offset && Arrays.equals(e.strides, strides);
        return e.storage == storage && !sameLayout && numel() > 0 ? e.copy() : e;
    }

    private Tensor inPlace(BinaryOp op, Tensor o) {
        String name = op.name().toLowerCase() + "InPlace";
        checkWritable(name);
        Tensor e = operandFor(name, o);
        kernels().binary(op, this, e, this);
        storage.bumpVersion();
        return this;
    }

    public Tensor addInPlace(Tensor o) { return inPlace(BinaryOp.ADD, o); }
    public Tensor subInPlace(Tensor o) { return inPlace(BinaryOp.SUB, o); }
    public Tensor mulInPlace(Tensor o) { return inPlace(BinaryOp.MUL, o); }
    public Tensor divInPlace(Tensor o) { return inPlace(BinaryOp.DIV, o); }

    private Tensor unaryInPlace(String name, UnaryOp op, float p, float q) {
        checkWritable(name);
        kernels().unary(op, this, p, q, this);
        storage.bumpVersion();
        return this;
    }

    /** max(0, x) in place (PyTorch's relu_). */
    public Tensor reluInPlace() {
        return unaryInPlace("reluInPlace", UnaryOp.RELU, 0, 0);
    }

    public Tensor mulInPlace(float s) {
        return unaryInPlace("mulInPlace", UnaryOp.MUL_SCALAR, s, 0);
    }

    public Tensor addInPlace(float s) {
        return unaryInPlace("addInPlace", UnaryOp.ADD_SCALAR, s, 0);
    }

    /** this += alpha * o (axpy). */
    public Tensor addInPlace(Tensor o, float alpha) {
        return alpha == 1f ? addInPlace(o) : addInPlace(o.mul(alpha));
    }

    public Tensor clampInPlace(float min, float max) {
        if (min > max) throw new IllegalArgumentException("clampInPlace: min " + min + " > max " + max + " for shape " + Shapes.str(shape));
        return unaryInPlace("clampInPlace", UnaryOp.CLAMP, min, max);
    }

    public Tensor fillInPlace(float v) {
        checkWritable("fillInPlace");
        if (isContiguous()) kernels().fill(this, v);
        else kernels().copy(full(v).to(device()).expand(shape), this);
        storage.bumpVersion();
        return this;
    }

    public Tensor zeroInPlace() {
        return fillInPlace(0f);
    }

    /** Copies src (broadcast to this shape) into this tensor. */
    public Tensor copyFrom(Tensor src) {
        checkWritable("copyFrom");
        Tensor e = operandFor("copyFrom", src);
        kernels().copy(e, this);
        storage.bumpVersion();
        return this;
    }

    // ---------------------------------------------------------------- reductions

    private Tensor reduce(String name, ReduceOp op, int[] axes, boolean keepDims) {
        int[] ax = Shapes.axes(name, axes, shape);
        for (int a : ax) {
            if (shape[a] == 0 && op != ReduceOp.SUM) {
                throw new IllegalArgumentException(name + ": cannot reduce empty axis " + a + " of shape " + Shapes.str(shape));
            }
        }
        Tensor out = newTensor(Shapes.reduced(shape, ax, true));
        kernels().reduce(op, this, ax, out);
        return keepDims ? out : out.view(Shapes.reduced(shape, ax, false));
    }

    /** Sum of all elements, as a 0-d tensor. */
    public Tensor sum() { return reduce("sum", ReduceOp.SUM, null, false); }
    public Tensor sum(int[] axes, boolean keepDims) { return reduce("sum", ReduceOp.SUM, axes, keepDims); }
    public Tensor sum(int axis) { return sum(new int[] {axis}, false); }
    public Tensor max() { return reduce("max", ReduceOp.MAX, null, false); }
    public Tensor max(int[] axes, boolean keepDims) { return reduce("max", ReduceOp.MAX, axes, keepDims); }
    public Tensor min() { return reduce("min", ReduceOp.MIN, null, false); }
    public Tensor min(int[] axes, boolean keepDims) { return reduce("min", ReduceOp.MIN, axes, keepDims); }

    public Tensor mean() { return mean(null, false); }

    public Tensor mean(int[] axes, boolean keepDims) {
        int[] ax = Shapes.axes("mean", axes, shape);
        int count = 1;
        for (int a : ax) count *= shape[a];
        return sum(ax, keepDims).mul(1f / count);
    }

    /** Variance over the axes; unbiased divides by count-1 as torch.var does by default. */
    public Tensor var(int[] axes, boolean keepDims, boolean unbiased) {
        int[] ax = Shapes.axes("var", axes, shape);
        int count = 1;
        for (int a : ax) count *= shape[a];
        Tensor centered = sub(mean(ax, true));
        return centered.square().sum(ax, keepDims).mul(1f / Math.max(unbiased ? count - 1 : count, 0));
    }

    /** Index of the max along an axis (first one on ties), as float values. */
    public Tensor argmax(int axis, boolean keepDims) {
        return argReduce("argmax", true, axis, keepDims);
    }

    public Tensor argmin(int axis, boolean keepDims) {
        return argReduce("argmin", false, axis, keepDims);
    }

    private Tensor argReduce(String name, boolean max, int axis, boolean keepDims) {
        int a = Shapes.axis(name, axis, shape.length, shape);
        if (shape[a] == 0) throw new IllegalArgumentException(name + ": empty axis " + axis + " in shape " + Shapes.str(shape));
        int[] ks = shape.clone();
        ks[a] = 1;
        Tensor out = newTensor(ks);
        kernels().argReduce(max, this, a, out);
        return keepDims ? out : out.squeeze(a);
    }

    public Tensor softmax(int axis) {
        Tensor out = newTensor(shape);
        kernels().softmax(this, Shapes.axis("softmax", axis, shape.length, shape), false, out);
        return out;
    }

    public Tensor logSoftmax(int axis) {
        Tensor out = newTensor(shape);
        kernels().softmax(this, Shapes.axis("logSoftmax", axis, shape.length, shape), true, out);
        return out;
    }

    // ---------------------------------------------------------------- matmul

    /**
     * Matrix product with PyTorch's rules: 1-d operands are promoted, leading batch dimensions
     * broadcast. Transposed views are read in place (no copy).
     */
    public Tensor matmul(Tensor o) {
        checkSameDevice("matmul", o);
        if (dim() == 0 || o.dim() == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least 1 dimension, got " + Shapes.str(shape) + " and " + Shapes.str(o.shape));
        }
        Tensor a = dim() == 1 ? unsqueeze(0) : this;
        Tensor b = o.dim() == 1 ? o.unsqueeze(1) : o;
        int m = a.shape[a.dim() - 2], k = a.shape[a.dim() - 1];
        int k2 = b.shape[b.dim() - 2], n = b.shape[b.dim() - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Shapes.str(shape) + " and " + Shapes.str(o.shape) + " cannot be multiplied (" + k + " vs " + k2 + ")");
        }
        if (a.dim() > 2 && b.dim() == 2) {
            // A batch of matrices times one matrix (a Linear layer on [N, T, C]) is one tall GEMM:
            // [..., m, k] -> [rows, k], a view whenever the leading dims allow it.
            int[] lead = Arrays.copyOf(a.shape, a.dim() - 1);
            Tensor flat = a.reshape(Shapes.numel(lead), k);
            Tensor out = newTensor(1, flat.shape[0], n);
            kernels().matmul(flat.unsqueeze(0), b.unsqueeze(0), out);
            int[] os = Arrays.copyOf(lead, lead.length + 1);
            os[lead.length] = n;
            Tensor r = out.view(os);
            return o.dim() == 1 ? r.squeeze(r.dim() - 1) : r;
        }
        int[] ba = Arrays.copyOf(a.shape, a.dim() - 2), bb = Arrays.copyOf(b.shape, b.dim() - 2);
        int[] batch = Shapes.broadcast("matmul", ba, bb);
        int nb = Shapes.numel(batch);
        int[] fa = concat(batch, m, k), fb = concat(batch, k, n);
        Tensor a3 = a.expand(fa).reshape(nb, m, k);
        Tensor b3 = b.expand(fb).reshape(nb, k, n);
        Tensor out = newTensor(nb, m, n);
        kernels().matmul(a3, b3, out);
        int[] os = concat(batch, m, n);
        Tensor r = out.view(os);
        if (dim() == 1) r = r.squeeze(r.dim() - 2);
        if (o.dim() == 1) r = r.squeeze(r.dim() - 1);
        return r;
    }

    private static int[] concat(int[] head, int x, int y) {
        int[] r = Arrays.copyOf(head, head.length + 2);
        r[head.length] = x;
        r[head.length + 1] = y;
        return r;
    }

    // ---------------------------------------------------------------- printing

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shapes.str(shape));
        if (!device().isCpu()) sb.append(", device=").append(device());
        if (numel() <= 64) sb.append(", ").append(Arrays.toString(toArray()));
        return sb.append(')').toString();
    }
}
