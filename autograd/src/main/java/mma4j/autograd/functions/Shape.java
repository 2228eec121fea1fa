package mma4j.autograd.functions;

import mma4j.autograd.Function;
import mma4j.tensor.Shapes;
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

    /** Joins tensors along an axis (torch.cat); the gradient of each part is its slice of g. */
    public static final class Cat extends Function {
        private final int axis;
        private int ax;
        private int[] lengths;

        public Cat(int axis) { this.axis = axis; }

        @Override protected Tensor forward(Tensor... in) {
            if (in.length == 0) throw new IllegalArgumentException("cat: needs at least one tensor");
            for (int i = 0; i < in.length; i++) {
                if (in[i] == null) throw new IllegalArgumentException("cat: tensor " + i + " is null");
            }
            int[] first = in[0].shape();
            ax = Shapes.axis("cat", axis, first.length, first);
            lengths = new int[in.length];
            int[] out = first.clone();
            out[ax] = 0;
            for (int i = 0; i < in.length; i++) {
                int[] s = in[i].shape();
                boolean fits = s.length == first.length;
                for (int d = 0; fits && d < s.length; d++) fits = d == ax || s[d] == first[d];
                if (!fits) {
                    throw new IllegalArgumentException("cat: tensor " + i + " of shape " + Shapes.str(s) + " does not match tensor 0 of shape "
                            + Shapes.str(first) + " outside axis " + axis);
                }
                lengths[i] = s[ax];
                out[ax] += s[ax];
            }
            Tensor y = in[0].newTensor(out);
            for (int i = 0, start = 0; i < in.length; start += lengths[i], i++) y.narrow(ax, start, lengths[i]).copyFrom(in[i]);
            return y;
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor[] parts = new Tensor[lengths.length];
            for (int i = 0, start = 0; i < parts.length; start += lengths[i], i++) {
                parts[i] = needsInputGrad(i) ? g.narrow(ax, start, lengths[i]) : null;
            }
            return parts;
        }
    }

    /**
     * out[i][j][k] = x[i][index[i][j][k]][k] for axis 1, and so on (torch.gather). index holds
     * integral values (as argmax returns them) and has x's rank; backward scatters g back, adding
     * where an index repeats.
     */
    public static final class Gather extends Function {
        private final int axis;
        private final Tensor index;
        private int ax;
        private int[] inShape;

        public Gather(int axis, Tensor index) {
            this.axis = axis;
            this.index = index.copy(); // a later change to the caller's tensor must not change backward
        }

        @Override protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            int[] is = index.shape();
            ax = Shapes.axis("gather", axis, inShape.length, inShape);
            boolean fits = is.length == inShape.length;
            for (int d = 0; fits && d < is.length; d++) fits = d == ax || is[d] <= inShape[d];
            if (!fits) {
                throw new IllegalArgumentException("gather: index of shape " + Shapes.str(is) + " does not fit input " + Shapes.str(inShape)
                        + " along axis " + axis + " (same rank, sizes at most the input's off that axis)");
            }
            float[] x = in[0].toArray(), idx = index.toArray(), out = new float[idx.length];
            int[] src = sourceOffsets(idx, is);
            for (int k = 0; k < out.length; k++) out[k] = x[src[k]];
            return Tensor.wrap(out, is).to(in[0].device());
        }

        @Override protected Tensor[] backward(Tensor g) {
            float[] gy = g.toArray(), gx = new float[Shapes.numel(inShape)];
            int[] src = sourceOffsets(index.toArray(), index.shape());
            for (int k = 0; k < gy.length; k++) gx[src[k]] += gy[k];
            return new Tensor[] {Tensor.wrap(gx, inShape).to(g.device())};
        }

        /** The row-major offset in x that each index element reads. */
        private int[] sourceOffsets(float[] idx, int[] is) {
            int[] xStrides = Shapes.contiguousStrides(inShape);
            int[] coord = new int[is.length];
            int[] src = new int[idx.length];
            for (int k = 0; k < idx.length; k++) {
                int pos = (int) idx[k];
                if (pos != idx[k] || pos < 0 || pos >= inShape[ax]) {
                    throw new IllegalArgumentException("gather: index value " + idx[k] + " out of range [0, " + inShape[ax] + ") for axis "
                            + axis + " of input " + Shapes.str(inShape));
                }
                int o = 0;
                for (int d = 0; d < is.length; d++) o += (d == ax ? pos : coord[d]) * xStrides[d];
                src[k] = o;
                for (int d = is.length - 1; d >= 0 && ++coord[d] == is[d]; d--) coord[d] = 0;
            }
            return src;
        }
    }

    /** The slices at the given positions along an axis (torch.index_select); backward adds each slice's gradient back. */
    public static final class IndexSelect extends Function {
        private final int axis;
        private final int[] index;
        private int ax;
        private int[] inShape;

        public IndexSelect(int axis, int[] index) {
            this.axis = axis;
            this.index = index.clone();
        }

        @Override protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            ax = Shapes.axis("indexSelect", axis, inShape.length, inShape);
            for (int i : index) {
                if (i < 0 || i >= inShape[ax]) {
                    throw new IllegalArgumentException("indexSelect: index " + i + " out of range [0, " + inShape[ax] + ") for axis " + axis
                            + " of shape " + Shapes.str(inShape));
                }
            }
            int[] os = inShape.clone();
            os[ax] = index.length;
            Tensor y = in[0].newTensor(os);
            for (int k = 0; k < index.length; k++) y.narrow(ax, k, 1).copyFrom(in[0].narrow(ax, index[k], 1));
            return y;
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor gx = g.newTensor(inShape).zeroInPlace();
            for (int k = 0; k < index.length; k++) gx.narrow(ax, index[k], 1).addInPlace(g.narrow(ax, k, 1));
            return new Tensor[] {gx};
        }
    }
}
