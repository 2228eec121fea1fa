package mma4j.autograd.functions;

import mma4j.autograd.Function;
import mma4j.tensor.Tensor;

/** Ops that only move or repeat elements: their backward moves the gradient back. */
public final class Shape {
    private Shape() {}

    public static final class Reshape extends Function {
        private final int[] shape;
        private int[] inShape;
        public Reshape(int[] shape) { this.shape = shape.clone(); }
        @Override protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            return in[0].reshape(shape);
        }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.reshape(inShape)}; }
    }

    public static final class Permute extends Function {
        private final int[] order;
        public Permute(int[] order) { this.order = order.clone(); }
        @Override protected Tensor forward(Tensor... in) { return in[0].permute(order); }
        @Override protected Tensor[] backward(Tensor g) {
            int[] inverse = new int[order.length];
            for (int i = 0; i < order.length; i++) inverse[Math.floorMod(order[i], order.length)] = i;
            return new Tensor[] {g.permute(inverse)};
        }
    }

    public static final class Transpose extends Function {
        private final int a, b;
        public Transpose(int a, int b) { this.a = a; this.b = b; }
        @Override protected Tensor forward(Tensor... in) { return in[0].transpose(a, b); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.transpose(a, b)}; }
    }

    /** Broadcast view; the engine's broadcast rule sums the gradient back. */
    public static final class Expand extends Function {
        private final int[] shape;
        public Expand(int[] shape) { this.shape = shape.clone(); }
        @Override protected Tensor forward(Tensor... in) { return in[0].expand(shape); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g}; }
    }

    /** A slice along one axis; the gradient lands in the slice, zeros elsewhere. */
    public static final class Narrow extends Function {
        private final int axis, start, length;
        private int[] inShape;
        public Narrow(int axis, int start, int length) { this.axis = axis; this.start = start; this.length = length; }
        @Override protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            return in[0].narrow(axis, start, length);
        }
        @Override protected Tensor[] backward(Tensor g) {
            Tensor gx = g.newTensor(inShape).zeroInPlace();
            gx.narrow(axis, start, length).copyFrom(g);
            return new Tensor[] {gx};
        }
    }
}
