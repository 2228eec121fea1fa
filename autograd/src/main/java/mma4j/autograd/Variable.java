package mma4j.autograd;

import mma4j.autograd.functions.Basic;
import mma4j.autograd.functions.Shape;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * A tensor that remembers how it was made. Leaves are created by the user (weights, inputs);
 * every op on Variables returns a new Variable whose {@link #gradFn()} is the {@link Function}
 * that produced it, so {@link #backward()} can walk the graph back to the leaves.
 * (Not final only so that nn.Parameter can name a trainable leaf.)
 */
public class Variable {
    private Tensor data;
    private Tensor grad;
    /** grad is still the tensor a backward handed in (not our own copy yet); see {@link #accumulateGrad}. */
    private boolean gradBorrowed;
    private boolean requiresGrad;
    private final Function gradFn;
    private String name;

    /** A leaf. */
    public Variable(Tensor data, boolean requiresGrad) {
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.gradFn = null;
    }

    /** The output of a recorded op. */
    Variable(Tensor data, Function gradFn) {
        this.data = data;
        this.requiresGrad = true;
        this.gradFn = gradFn;
    }

    /** A leaf that does not require a gradient (inputs, targets). */
    public static Variable of(Tensor t) {
        return new Variable(t, false);
    }

    /** A leaf that requires a gradient (what users optimize). */
    public static Variable param(Tensor t) {
        return new Variable(t, true);
    }

    public Tensor data() {
        return data;
    }

    /** Replaces the value of a leaf (e.g. when loading weights); shapes must match. */
    public void setData(Tensor t) {
        if (gradFn != null) throw new IllegalStateException("setData: only leaves can be replaced; " + this + " was made by " + gradFn.name());
        if (!Shapes.equal(t.shape(), data.shape())) {
            throw new IllegalArgumentException("setData: shape " + Shapes.str(t.shape()) + " does not match " + Shapes.str(data.shape()));
        }
        data = t;
    }

    /** Accumulated gradient, or null before any backward. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null && !Shapes.equal(g.shape(), data.shape())) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shapes.str(g.shape()) + " does not match variable shape " + Shapes.str(data.shape()));
        }
        grad = g;
        gradBorrowed = false;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Turns gradient tracking on or off for a leaf (PyTorch's requires_grad_). */
    public Variable requiresGrad(boolean on) {
        if (gradFn != null && !on) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf made by " + gradFn.name() + "; use detach() instead");
        }
        requiresGrad = on;
        return this;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The op that produced this variable, or null for a leaf. */
    public Function gradFn() {
        return gradFn;
    }

    /** Also keep the gradient of this non-leaf in {@link #grad()} during backward (leaves always do). */
    public Variable retainGrad() {
        if (gradFn != null) gradFn.retainOutputGrad(this);
        return this;
    }

    /** Same values (the same tensor, no copy), cut from the graph: a leaf that requires no gradient. */
    public Variable detach() {
        return new Variable(data, false);
    }

    public Variable name(String n) {
        this.name = n;
        return this;
    }

    public String name() {
        return name;
    }

    /** Forgets the accumulated gradient (PyTorch's zero_grad(set_to_none=True)). */
    public void zeroGrad() {
        grad = null;
        gradBorrowed = false;
    }

    /**
     * Adds one gradient contribution during backward. The first is only referenced; unless its
     * Function marked it {@code fresh} (allocated for this gradient alone) it may alias another
     * tensor, so it is never written to. A second contribution makes a fresh sum, or is added
     * into whichever of the two is fresh; later ones add into our own gradient in place.
     * {@link #ownGrad} copies a still-borrowed gradient when backward ends. A weight with two
     * contributions (its layer's and a regularizer's) thus costs one pass, and a weight whose
     * layer hands it a fresh gradient costs no copy at all.
     */
    void accumulateGrad(Tensor g, boolean fresh) {
        if (grad == null) {
            grad = g;
            gradBorrowed = !fresh;
        } else if (gradBorrowed) {
            // float addition is commutative, so g + grad has the bits of grad + g
            grad = fresh ? g.addInPlace(grad) : grad.add(g);
            gradBorrowed = false;
        } else {
            grad.addInPlace(g);
        }
    }

    /**
     * The gradient so far as a tensor this Variable owns (a borrowed one is copied first), for a
     * Function's {@code backwardInto} to add into; null if none has arrived.
     */
    Tensor ownedGrad() {
        ownGrad();
        return grad;
    }

    /** Ends a backward: a gradient still borrowed from a Function's result becomes our own copy. */
    void ownGrad() {
        if (gradBorrowed) {
            grad = grad.copy();
            gradBorrowed = false;
        }
    }

    /** Backward from a scalar (one-element) output, seeded with 1; frees the graph as it goes. */
    public void backward() {
        backward(false);
    }

    /** Backward from a scalar output; retainGraph keeps saved tensors so that backward can run again. */
    public void backward(boolean retainGraph) {
        if (data.numel() != 1) {
            throw new IllegalStateException("backward() needs a scalar output, but this variable has shape " + Shapes.str(data.shape())
                    + ". Reduce it first (e.g. sum() or mean()), or call backward(gradient) with a gradient of that shape.");
        }
        backward(Tensor.ones(data.shape()).to(data.device()), retainGraph);
    }

    /** Backward seeded with d(loss)/d(this), for outputs that are not scalars. */
    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /** Backward seeded with d(loss)/d(this); retainGraph keeps saved tensors for another backward. */
    public void backward(Tensor gradient, boolean retainGraph) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this variable does not require grad and has no gradFn; "
                    + "did you create its inputs with Variable.of instead of Variable.param, or run inside GradMode.noGrad()?");
        }
        if (!Shapes.equal(gradient.shape(), data.shape())) {
            throw new IllegalArgumentException("backward: gradient shape " + Shapes.str(gradient.shape()) + " does not match output shape "
                    + Shapes.str(data.shape()) + "; pass d(loss)/d(output), a tensor of shape " + Shapes.str(data.shape()));
        }
        if (gradFn == null) {
            accumulateGrad(gradient, false);
            ownGrad();
            return;
        }
        Backward.run(this, gradient, retainGraph);
    }

    // ------------------------------------------------------------ info

    public int[] shape() {
        return data.shape();
    }

    public int dim() {
        return data.dim();
    }

    public int size(int axis) {
        return data.size(axis);
    }

    public float item() {
        return data.item();
    }

    // ------------------------------------------------------------ ops (each is one Function)

    public Variable add(Variable o) { return new Basic.Add().apply(this, o); }
    public Variable sub(Variable o) { return new Basic.Sub().apply(this, o); }
    public Variable mul(Variable o) { return new Basic.Mul().apply(this, o); }
    public Variable div(Variable o) { return new Basic.Div().apply(this, o); }
    public Variable add(float s) { return new Basic.AddScalar(s).apply(this); }
    public Variable sub(float s) { return new Basic.AddScalar(-s).apply(this); }
    public Variable mul(float s) { return new Basic.MulScalar(s).apply(this); }
    public Variable div(float s) { return new Basic.MulScalar(1f / s).apply(this); }
    public Variable neg() { return new Basic.MulScalar(-1f).apply(this); }
    public Variable exp() { return new Basic.Exp().apply(this); }
    public Variable log() { return new Basic.Log().apply(this); }
    public Variable sqrt() { return new Basic.Sqrt().apply(this); }
    public Variable pow(float p) { return new Basic.Pow(p).apply(this); }
    public Variable square() { return new Basic.Pow(2f).apply(this); }
    public Variable abs() { return new Basic.Abs().apply(this); }
    public Variable clamp(float min, float max) { return new Basic.Clamp(min, max).apply(this); }
    /** acos(clamp(x, -0.99999, 0.99999)) as the MMA reference computes it; zero gradient where clamped. */
    public Variable acosClamped() { return new Basic.ClampedAcos(Basic.ClampedAcos.MMA_BOUND).apply(this); }
    public Variable acosClamped(float bound) { return new Basic.ClampedAcos(bound).apply(this); }
    public Variable relu() { return new Basic.Relu().apply(this); }
    public Variable tanh() { return new Basic.Tanh().apply(this); }
    public Variable sigmoid() { return new Basic.Sigmoid().apply(this); }
    public Variable matmul(Variable o) { return new Basic.MatMul().apply(this, o); }
    public Variable maximum(Variable o) { return new Basic.Maximum().apply(this, o); }
    public Variable minimum(Variable o) { return new Basic.Minimum().apply(this, o); }

    /** cond != 0 ? a : b elementwise (cond is a constant mask; all three broadcast). */
    public static Variable where(Tensor cond, Variable a, Variable b) { return new Basic.Where(cond).apply(a, b); }

    /** Joins variables along an axis; all other sizes must agree (torch.cat). */
    public static Variable cat(int axis, Variable... parts) { return new Shape.Cat(axis).apply(parts); }

    public Variable sum() { return new Basic.Sum(null, false).apply(this); }
    public Variable sum(int[] axes, boolean keepDims) { return new Basic.Sum(axes, keepDims).apply(this); }
    public Variable mean() { return mean(null, false); }

    public Variable mean(int[] axes, boolean keepDims) {
        int[] ax = Shapes.axes("mean", axes, data.shape());
        int n = 1;
        for (int a : ax) n *= data.size(a);
        return sum(ax, keepDims).mul(1f / n);
    }

    /** Max over axes; the gradient goes to the first maximal element. */
    public Variable max(int axis, boolean keepDims) { return new Basic.MaxAlong(axis, keepDims).apply(this); }

    public Variable reshape(int... shape) { return new Shape.Reshape(shape).apply(this); }
    public Variable view(int... shape) { return reshape(shape); }
    public Variable flatten(int start, int end) {
        int[] s = data.flatten(start, end).shape();
        return reshape(s);
    }
    public Variable permute(int... order) { return new Shape.Permute(order).apply(this); }
    public Variable transpose(int a, int b) { return new Shape.Transpose(a, b).apply(this); }
    public Variable t() { return transpose(0, 1); }
    public Variable expand(int... shape) { return new Shape.Expand(shape).apply(this); }
    public Variable narrow(int axis, int start, int length) { return new Shape.Narrow(axis, start, length).apply(this); }
    /** out[..i..] = this[..index[..i..]..] along axis (torch.gather); index holds integral values. */
    public Variable gather(int axis, Tensor index) { return new Shape.Gather(axis, index).apply(this); }
    /** The slices at the given positions along an axis, in that order (torch.index_select). */
    public Variable indexSelect(int axis, int... index) { return new Shape.IndexSelect(axis, index).apply(this); }
    public Variable unsqueeze(int axis) { return reshape(data.unsqueeze(axis).shape()); }
    public Variable squeeze(int axis) { return reshape(data.squeeze(axis).shape()); }

    @Override
    public String toString() {
        return "Variable(" + (name != null ? name + ", " : "") + "shape=" + Shapes.str(data.shape())
                + (gradFn != null ? ", gradFn=" + gradFn.name() : requiresGrad ? ", requiresGrad" : "") + ")";
    }
}
