package mma4j.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * One differentiable operation: {@link #forward} and {@link #backward} side by side, as in
 * tinygrad's Function. An instance is also the node of the recorded graph: it remembers its
 * inputs, which of them need a gradient, and the tensors that backward will need.
 *
 * <pre>{@code
 * final class Mul extends Function {
 *     protected Tensor forward(Tensor... in) { saveForBackward(in[0], in[1]); return in[0].mul(in[1]); }
 *     protected Tensor[] backward(Tensor g) {
 *         Tensor[] s = saved();
 *         return new Tensor[] {g.mul(s[1]), g.mul(s[0])};   // d(xy)/dx = y, d(xy)/dy = x
 *     }
 * }
 * Variable z = new Mul().apply(x, y);
 * }</pre>
 *
 * Backward may return a gradient shaped like the broadcast output: the engine sums it back
 * to each input's shape ({@link Broadcast#sumTo}), so no op has to.
 *
 * <p>Memory: the node keeps its input Variables only until backward has run through it (so a
 * graph can be exported or inspected before). Backward then keeps only the edges it needs:
 * the Function that made each input, or the leaf that collects its gradient. Activations are
 * therefore freed as soon as backward is done, even while the loss Variable is still referenced.
 */
public abstract class Function {
    /** Where the gradient of input i goes: the node that made it, or the leaf that collects it. */
    private Function[] next;
    private Variable[] leaves;
    private int[][] inputShapes;
    private int[] outputShape;
    private Variable[] inputs;
    private boolean[] needsInputGrad;
    private Variable retainedOutput;
    private Tensor[] saved;
    private int[] savedVersions;
    private boolean recorded;
    private boolean released;
    /** Gradients the current backward call marked with {@link #fresh}; cleared by the engine. */
    private List<Tensor> freshGrads;

    /** Computes the output from the inputs' values. Runs with grad recording off. */
    protected abstract Tensor forward(Tensor... inputs);

    /** Given d(loss)/d(output), returns d(loss)/d(input) for each input (null where not needed). */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /**
     * Optional, for ops applied straight to leaves (a regularizer on a weight): whether
     * {@link #backwardInto} may be used. The engine then runs this node's backward after the rest
     * of the graph, when the leaves' gradients hold every other contribution.
     */
    protected boolean addsIntoLeafGradients() {
        return false;
    }

    /**
     * Adds d(loss)/d(input i) into {@code leafGrads[i]} (the leaf's gradient so far, which the
     * engine owns; null where input i needs no gradient) instead of returning new tensors: one
     * pass over the weight less. Return false, changing nothing, to have {@link #backward} called
     * instead. Only called when {@link #addsIntoLeafGradients} is true.
     */
    protected boolean backwardInto(Tensor gradOutput, Tensor[] leafGrads) {
        return false;
    }

    /**
     * Marks a gradient this backward allocated itself and keeps no other reference to, and
     * returns it. A leaf may then keep it as its gradient without a copy and add into it in place
     * (PyTorch's AccumulateGrad "steals" such gradients the same way). Don't mark the incoming
     * gradient, a saved tensor, a view of either, or a tensor returned for two inputs.
     */
    protected final Tensor fresh(Tensor grad) {
        if (grad == null) return null;
        if (freshGrads == null) freshGrads = new ArrayList<>(2);
        freshGrads.add(grad);
        return grad;
    }

    /** Runs forward and, if any input needs a gradient and grad mode is on, records this node. */
    public final Variable apply(Variable... in) {
        if (recorded) {
            throw new IllegalStateException(name() + ".apply: this Function instance is already a node of a recorded graph; "
                    + "create a new instance for every call (e.g. new " + name() + "(...).apply(x))");
        }
        Tensor[] values = new Tensor[in.length];
        boolean record = false;
        boolean[] needs = new boolean[in.length];
        for (int i = 0; i < in.length; i++) {
            if (in[i] == null) continue;
            values[i] = in[i].data();
            needs[i] = in[i].requiresGrad();
            record |= needs[i];
        }
        record &= GradMode.isEnabled();
        this.needsInputGrad = needs;
        Tensor out;
        long t0 = Profiler.start();
        try (var scope = GradMode.noGrad()) {
            out = forward(values);
        }
        Profiler.stop(t0, name(), false);
        if (!record) {
            saved = null;
            return new Variable(out, false);
        }
        recorded = true;
        inputs = in.clone();
        next = new Function[in.length];
        leaves = new Variable[in.length];
        inputShapes = new int[in.length][];
        for (int i = 0; i < in.length; i++) {
            if (in[i] == null) continue;
            inputShapes[i] = values[i].shape();
            if (!needs[i]) continue;
            if (in[i].gradFn() != null) next[i] = in[i].gradFn();
            else leaves[i] = in[i];
        }
        outputShape = out.shape();
        return new Variable(out, this);
    }

    /** Keeps tensors for backward; an in-place change to any of them before backward is an error. */
    protected final void saveForBackward(Tensor... tensors) {
        saved = tensors.clone();
        savedVersions = new int[tensors.length];
        for (int i = 0; i < tensors.length; i++) if (tensors[i] != null) savedVersions[i] = tensors[i].version();
    }

    /** The tensors saved by forward, checked against in-place modification and release. */
    protected final Tensor[] saved() {
        if (released) {
            throw new IllegalStateException("Trying to backward through " + name() + " a second time, but its saved tensors were "
                    + "already freed. Call backward(gradient, true) (retainGraph) the first time if you need to backward twice.");
        }
        if (saved == null) return new Tensor[0];
        for (int i = 0; i < saved.length; i++) {
            if (saved[i] != null && saved[i].version() != savedVersions[i]) {
                throw new IllegalStateException("A tensor of shape " + Shapes.str(saved[i].shape()) + " saved for backward by " + name()
                        + " was modified in place after the forward pass (its version is " + saved[i].version() + ", " + name()
                        + " saved version " + savedVersions[i] + "), so the gradient would be wrong. Clone the tensor before changing it, "
                        + "use the out-of-place op, or change it only after backward().");
            }
        }
        return saved;
    }

    /** Whether input i needs a gradient (backward may return null for it otherwise). */
    protected final boolean needsInputGrad(int i) {
        return needsInputGrad[i];
    }

    /** The op name shown in errors and graph exports. */
    public String name() {
        return getClass().getSimpleName();
    }

    /**
     * The recorded inputs (null entries for absent optional inputs). Empty once backward has
     * released this node: from then on only {@link #nextFunctions()} describes the graph.
     */
    public final Variable[] inputs() {
        return inputs == null ? new Variable[0] : inputs.clone();
    }

    /** For each input, the Function that produced it (null for leaves and inputs that need no gradient). */
    public final Function[] nextFunctions() {
        return next == null ? new Function[0] : next.clone();
    }

    /** The shape of the output this node produced (null if it was never recorded). */
    public final int[] outputShape() {
        return outputShape == null ? null : outputShape.clone();
    }

    /** Whether backward has already run through this node and freed what it saved. */
    public final boolean isReleased() {
        return released;
    }

    // ------------------------------------------------------------ for Backward and GraphExport

    final int arity() {
        return next == null ? 0 : next.length;
    }

    final Function next(int i) {
        return next[i];
    }

    final Variable leaf(int i) {
        return leaves[i];
    }

    final int[] inputShape(int i) {
        return inputShapes[i];
    }

    final boolean needs(int i) {
        return needsInputGrad[i];
    }

    /** Whether the last backward call marked this exact tensor {@link #fresh}. */
    final boolean isFresh(Tensor grad) {
        if (freshGrads == null) return false;
        for (Tensor t : freshGrads) if (t == grad) return true;
        return false;
    }

    final void clearFresh() {
        freshGrads = null;
    }

    final void retainOutputGrad(Variable output) {
        retainedOutput = output;
    }

    final Variable retainedOutput() {
        return retainedOutput;
    }

    final boolean released() {
        return released;
    }

    /** Drops saved tensors and input Variables after backward unless the graph is retained. */
    final void release() {
        released = true;
        saved = null;
        inputs = null;
    }

    @Override
    public String toString() {
        return name() + Arrays.toString(needsInputGrad);
    }
}
