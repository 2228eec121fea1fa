package mma4j.nn.regularizers;

import mma4j.autograd.Function;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/** Rows {@code index} of a matrix [n, d] (index_select on axis 0); backward adds the gradient back into those rows. */
public final class SelectRows extends Function {
    private final int[] index;
    private int[] inShape;

    public SelectRows(int[] index) {
        this.index = index.clone();
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor x = in[0];
        if (x.dim() != 2) throw new IllegalArgumentException("SelectRows: expects a matrix, got " + Shapes.str(x.shape()));
        inShape = x.shape();
        int n = inShape[0], d = inShape[1];
        float[] src = x.toArray(), out = new float[index.length * d];
        for (int r = 0; r < index.length; r++) {
            int i = index[r];
            if (i < 0 || i >= n) throw new IllegalArgumentException("SelectRows: row " + i + " out of range for shape " + Shapes.str(inShape));
            System.arraycopy(src, i * d, out, r * d, d);
        }
        return Tensor.wrap(out, index.length, d).to(x.device());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        int d = inShape[1];
        float[] gs = g.contiguous().toArray(), gx = new float[inShape[0] * d];
        for (int r = 0; r < index.length; r++) {
            int o = index[r] * d;
            for (int p = 0; p < d; p++) gx[o + p] += gs[r * d + p];
        }
        return new Tensor[] {Tensor.wrap(gx, inShape).to(g.device())};
    }
}
