package mma4j.nn.regularizers;

import mma4j.autograd.Function;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.Parallel;

/**
 * The fused MMA (and cosine) loss of a weight matrix [n, d]: one symmetric Gram product of the
 * raw rows and a row max over its entries scaled by the row lengths forward, O(n d) backward.
 *
 * <pre>
 *   u_i  = w_i / |w_i|                    c_i = max_{j != i} u_i . u_j   (nearest neighbour j(i))
 *   MMA:    L = -(1/n) sum_i acos(clamp(c_i, -0.99999, 0.99999))
 *   cosine: L =  (1/n) sum_i c_i
 * </pre>
 *
 * Backward uses the paper's observation that only each row's nearest neighbour pair receives
 * gradient: with s_i = dL/dc_i (for MMA (1/n)/sqrt(1 - c_i^2) inside the clamp, 0 outside;
 * for cosine 1/n), dL/du_i gets s_i u_j and dL/du_j gets s_i u_i, and then the gradient goes
 * through the row normalization, whose radial part the forward's cosines give without a dot
 * product. Each row of the gradient is a combination of a few rows of W; no n x n gradient exists.
 *
 * <p>{@code tile > 0} selects the streamed form: the nearest neighbours are found tile by tile
 * ({@link Nearest#ofTiles}) and memory stays O(n d). Both forms break ties toward the lower
 * index, like argmax in the composed reference. Between forward and backward only the row norms
 * and the nearest neighbours are kept (O(n)); backward recomputes unit rows from the weight.
 */
public final class NearestNeighbourLoss extends Function {
    /** What the loss does with each row's largest cosine. */
    public enum Term {
        /** -acos of the clamped cosine: the MMA loss. */
        MMA,
        /** the cosine itself: the "cosine loss" competitor. */
        COSINE;

        double value(double c) {
            return this == MMA ? -Math.acos(Math.min(Math.max(c, -CLAMP), CLAMP)) : c;
        }

        /** d value / dc; zero where MMA's clamp is active (PyTorch's clamp passes the bounds). */
        double slope(double c) {
            if (this == COSINE) return 1.0;
            return c >= -CLAMP && c <= CLAMP ? 1.0 / Math.sqrt(1.0 - c * c) : 0.0;
        }
    }

    /** The reference code's clamp: acos' slope stays below 1/sqrt(1 - 0.99999^2) ~ 224. */
    public static final float CLAMP = 0.99999f;

    /**
     * The forward's temporaries (unit rows, cosine matrix), reused from call to call on each
     * thread: for VGG19 they are 80 MB a step that would otherwise be allocated, zeroed and
     * collected. Nothing in them outlives a forward call.
     */
    private static final class Scratch {
        private float[] units = new float[0], cosines = new float[0];

        float[] units(int size) {
            if (units.length < size) units = new float[size];
            return units;
        }

        float[] cosines(int size) {
            if (cosines.length < size) cosines = new float[size];
            return cosines;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Term term;
    private final int tile;
    private final String op;
    private int[] inShape;
    private float[] norm;
    private Nearest nearest;

    /** The fused form (holds one n x n cosine array during forward). */
    public NearestNeighbourLoss(Term term) {
        this(term, 0);
    }

    /** tile == 0: fused; tile > 0: streamed over tile x tile blocks. */
    public NearestNeighbourLoss(Term term, int tile) {
        if (tile < 0) throw new IllegalArgumentException("NearestNeighbourLoss: tile must be >= 0, got " + tile);
        this.term = term;
        this.tile = tile;
        this.op = term == Term.MMA ? "mma" : "cosine";
    }

    @Override
    public String name() {
        return (term == Term.MMA ? "Mma" : "CosineLoss") + (tile > 0 ? "Tiled" : "Fused");
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor w = in[0];
        if (w.dim() < 2) throw new IllegalArgumentException(op + ": expects a weight of rows [rows, columns, ...], got " + Shapes.str(w.shape()));
        inShape = w.shape();
        int n = inShape[0], d = n == 0 ? 0 : w.numel() / n;
        Scratch sc = SCRATCH.get();
        float[] values = UnitRows.values(w);
        if (tile > 0) {
            UnitRows rows = UnitRows.of(op, values, n, d, 0f, sc.units(n * d));
            norm = rows.norm;
            nearest = Nearest.ofTiles(rows.u, n, d, tile);
        } else {
            // The Gram of the raw rows, scaled by the lengths while the neighbours are found: no
            // unit copy of the weight is written and read again (for VGG19, 80 MB each way).
            norm = UnitRows.norms(op, values, n, d);
            float[] c = sc.cosines(n * n); // every entry Nearest reads is written by Gram.upper
            Gram.upper(values, n, d, c);
            nearest = Nearest.ofUpper(c, n, norm);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) sum += term.value(nearest.cos[i]);
        saveForBackward(w);
        return Tensor.scalar((float) (sum / n)).to(w.device());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        float[] gw = new float[saved()[0].numel()];
        addGradient(g, gw);
        return new Tensor[] {fresh(Tensor.wrap(gw, inShape).to(g.device()))};
    }

    /** Run after the rest of backward: adds dL/dW straight into the weight's gradient so far. */
    @Override
    protected boolean addsIntoLeafGradients() {
        return true;
    }

    @Override
    protected boolean backwardInto(Tensor g, Tensor[] leafGrads) {
        Tensor into = leafGrads[0];
        if (!into.device().isCpu() || !into.isContiguous() || into.offset() != 0 || into.array().length != into.numel()) return false;
        addGradient(g, into.array());
        return true;
    }

    /** gw += dL/dW, row by row (rows are independent, so they are split over the pool). */
    private void addGradient(Tensor g, float[] gw) {
        float[] w = UnitRows.values(saved()[0]); // saved() fails loudly if the weight changed in place since forward
        int n = inShape[0], d = w.length / n;
        double scale = g.item() / (double) n;
        double[] slope = new double[n];
        float[] pair = new float[n];
        for (int i = 0; i < n; i++) {
            slope[i] = scale * term.slope(nearest.cos[i]);
            // u_i . u_j = w_i . w_j / (norm_i norm_j): pair i adds pair[i] * w_j to row i and pair[i] * w_i to row j
            pair[i] = (float) (slope[i] / ((double) norm[i] * norm[nearest.index[i]]));
        }
        int[][] chosenBy = chosenBy(nearest.index, n);
        Parallel.forRange(n, 4L * d, (from, to) -> {
            for (int r = from; r < to; r++) gradientRow(r, w, slope, pair, chosenBy[r], gw, d);
        });
    }

    /**
     * Row r of dL/dW. With j = nearest(r) and k over the rows whose nearest neighbour is r:
     * <pre>
     *   dL/du_r = s_r u_j + sum_k s_k u_k
     *   u_r . dL/du_r = s_r c_r + sum_k s_k c_k          (the forward's cosines: no dot product)
     *   dL/dw_r = (dL/du_r - u_r (u_r . dL/du_r)) / |w_r|
     * </pre>
     * so the row is a combination of 2 + |k| rows of W, added to gw's row in a fixed order: r's
     * own term, then the pair terms by ascending pair index (the order a serial scatter over
     * pairs has).
     */
    private void gradientRow(int r, float[] w, double[] slope, float[] pair, int[] ks, float[] gw, int d) {
        double along = slope[r] * nearest.cos[r];
        for (int k : ks) along += slope[k] * nearest.cos[k];
        // The terms as (coefficient, row of W), zero ones left out: one pass over gw's row adds them all.
        float[] coef = new float[ks.length + 2];
        int[] from = new int[ks.length + 2];
        int terms = 0;
        float self = (float) (-along / ((double) norm[r] * norm[r]));
        if (self != 0f) terms = term(coef, from, terms, self, r * d);
        int k = 0;
        for (; k < ks.length && ks[k] < r; k++) if (pair[ks[k]] != 0f) terms = term(coef, from, terms, pair[ks[k]], ks[k] * d);
        if (pair[r] != 0f) terms = term(coef, from, terms, pair[r], nearest.index[r] * d);
        for (; k < ks.length; k++) if (pair[ks[k]] != 0f) terms = term(coef, from, terms, pair[ks[k]], ks[k] * d);
        RowOps.addCombination(gw, r * d, w, from, coef, terms, d);
    }

    private static int term(float[] coef, int[] from, int terms, float c, int offset) {
        coef[terms] = c;
        from[terms] = offset;
        return terms + 1;
    }

    /** For each row r, the rows k with nearest(k) == r, ascending. */
    private static int[][] chosenBy(int[] nearest, int n) {
        int[] count = new int[n];
        for (int k = 0; k < n; k++) count[nearest[k]]++;
        int[][] by = new int[n][];
        for (int r = 0; r < n; r++) by[r] = new int[count[r]];
        int[] fill = new int[n];
        for (int k = 0; k < n; k++) by[nearest[k]][fill[nearest[k]]++] = k;
        return by;
    }

    /** The nearest neighbours found by the last forward (for diagnostics and tests). */
    public Nearest nearest() {
        return nearest;
    }
}
