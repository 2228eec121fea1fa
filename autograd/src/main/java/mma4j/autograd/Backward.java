package mma4j.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * Reverse-mode differentiation over the recorded graph.
 *
 * <ol>
 *   <li>Order the nodes that lead to the root so that every node comes after all nodes that
 *       consume its output (an iterative depth-first search: a 10,000-op chain needs no deep stack).</li>
 *   <li>Walk that order from the root, calling each {@link Function#backward} with the summed
 *       gradient of its output, undoing broadcasting and checking each gradient's shape.</li>
 *   <li>Leaves that require a gradient accumulate it into {@link Variable#grad()}; a leaf
 *       reached once keeps a copy (or the tensor itself where its op marked it fresh), one
 *       reached more often a sum.</li>
 *   <li>Ops applied straight to leaves that can add into the leaves' gradients
 *       ({@link Function#backwardInto}, a regularizer on a weight) run last, adding into them.</li>
 *   <li>Each node frees what it saved right after its backward, unless retainGraph.</li>
 * </ol>
 */
final class Backward {
    private Backward() {}

    static void run(Variable root, Tensor seed, boolean retainGraph) {
        // Variables that received gradient: they own it (a copy where it is still borrowed) when backward ends, even by an exception.
        Set<Variable> touched = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            walk(root, seed, retainGraph, touched);
        } finally {
            for (Variable v : touched) v.ownGrad();
        }
    }

    private static void walk(Variable root, Tensor seed, boolean retainGraph, Set<Variable> touched) {
        List<Function> order = runOrder(root.gradFn());
        // Gradients waiting for their node: a node runs once all its consumers have added theirs.
        Map<Function, Tensor> pending = new IdentityHashMap<>();
        pending.put(root.gradFn(), seed);
        for (Function fn : order) {
            Tensor g = pending.remove(fn);
            if (g == null) continue; // no path from the root carries gradient here
            if (fn.released()) {
                throw new IllegalStateException("Trying to backward through the graph a second time: " + fn.name()
                        + " already freed its saved tensors in the first backward(). Pass retainGraph=true to the first call "
                        + "(backward(true) or backward(gradient, true)) if you need to backward twice, or run the forward pass again.");
            }
            if (fn.retainedOutput() != null) accumulate(fn.retainedOutput(), g, false, touched);
            if (addsIntoLeaves(fn) && runBackwardInto(fn, g, retainGraph, touched)) continue;
            runBackward(fn, g, retainGraph, pending, touched);
        }
    }

    /**
     * The order backward runs the nodes in: {@link #topologicalOrder}, with the ops that add into
     * leaf gradients moved to the end (in their order), when the leaves hold every other
     * contribution. Such an op takes only leaves, so no node after it waits for its result.
     */
    static List<Function> runOrder(Function root) {
        List<Function> order = topologicalOrder(root), last = new ArrayList<>();
        List<Function> first = new ArrayList<>(order.size());
        for (Function fn : order) (addsIntoLeaves(fn) ? last : first).add(fn);
        first.addAll(last);
        return first;
    }

    /** fn may add into its leaves' gradients: it says so, and its inputs are distinct leaves. */
    private static boolean addsIntoLeaves(Function fn) {
        return fn.addsIntoLeafGradients() && onlyDistinctLeaves(fn);
    }

    /** fn.backward(g): each input's gradient goes to the node that made the input, or to its leaf. */
    private static void runBackward(Function fn, Tensor g, boolean retainGraph, Map<Function, Tensor> pending, Set<Variable> touched) {
        Tensor[] inGrads;
        long t0 = Profiler.start();
        try (var scope = GradMode.noGrad()) {
            inGrads = fn.backward(g);
        }
        Profiler.stop(t0, fn.name(), true);
        int n = fn.arity();
        try {
            if (inGrads == null || inGrads.length != n) {
                throw new IllegalStateException(fn.name() + ".backward returned " + (inGrads == null ? "null" : inGrads.length + " gradients")
                        + " for " + n + " inputs; return one entry per input (null where needsInputGrad(i) is false)");
            }
            for (int i = 0; i < n; i++) {
                if (!fn.needs(i) || inGrads[i] == null) continue;
                Tensor gi = fit(fn, i, inGrads[i]);
                Function producer = fn.next(i);
                if (producer != null) pending.merge(producer, gi, Tensor::add);
                else accumulate(fn.leaf(i), gi, fn.isFresh(inGrads[i]) && once(inGrads, i), touched);
            }
        } finally {
            fn.clearFresh();
        }
        if (!retainGraph) fn.release();
    }

    /**
     * fn.backwardInto the gradients its leaves own so far; false (nothing done) where a leaf has
     * none yet (it then simply takes fn's gradient) or fn declines.
     */
    private static boolean runBackwardInto(Function fn, Tensor g, boolean retainGraph, Set<Variable> touched) {
        int n = fn.arity();
        Tensor[] into = new Tensor[n];
        for (int i = 0; i < n; i++) {
            if (!fn.needs(i)) continue;
            if (fn.leaf(i).grad() == null) return false;
        }
        for (int i = 0; i < n; i++) {
            if (!fn.needs(i)) continue;
            touched.add(fn.leaf(i));
            into[i] = fn.leaf(i).ownedGrad();
        }
        boolean done;
        long t0 = Profiler.start();
        try (var scope = GradMode.noGrad()) {
            done = fn.backwardInto(g, into);
        }
        Profiler.stop(t0, fn.name(), true);
        if (done && !retainGraph) fn.release();
        return done;
    }

    /** Every input that needs a gradient is a leaf, and no leaf comes twice. */
    private static boolean onlyDistinctLeaves(Function fn) {
        Set<Variable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < fn.arity(); i++) {
            if (!fn.needs(i)) continue;
            if (fn.leaf(i) == null || !seen.add(fn.leaf(i))) return false;
        }
        return true;
    }

    /** grads[i] is not also the gradient of another input (then it is not any one leaf's alone). */
    private static boolean once(Tensor[] grads, int i) {
        for (int j = 0; j < grads.length; j++) if (j != i && grads[j] == grads[i]) return false;
        return true;
    }

    private static void accumulate(Variable v, Tensor g, boolean fresh, Set<Variable> touched) {
        touched.add(v);
        v.accumulateGrad(g, fresh);
    }

    /** Sums a broadcast gradient back to the input's shape, or fails naming the op. */
    private static Tensor fit(Function fn, int index, Tensor grad) {
        int[] want = fn.inputShape(index);
        Tensor fitted = Broadcast.sumTo(grad, want);
        if (fitted == null) {
            throw new IllegalStateException(fn.name() + ".backward returned a gradient of shape " + Shapes.str(grad.shape())
                    + " for input " + index + " of shape " + Shapes.str(want) + ". A backward must return, for each input, a gradient "
                    + "shaped like that input (or like the broadcast output, which the engine sums down).");
        }
        return fitted;
    }

    /** Nodes reachable from root, each after every node that uses its output (reverse post-order). */
    static List<Function> topologicalOrder(Function root) {
        List<Function> post = new ArrayList<>();
        Set<Function> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Function> nodes = new ArrayDeque<>();
        ArrayDeque<int[]> nextInput = new ArrayDeque<>(); // parallel stack: which input of the node to visit next
        nodes.push(root);
        nextInput.push(new int[1]);
        visited.add(root);
        while (!nodes.isEmpty()) {
            Function fn = nodes.peek();
            int[] i = nextInput.peek();
            if (i[0] < fn.arity()) {
                Function child = fn.next(i[0]++);
                if (child != null && visited.add(child)) {
                    nodes.push(child);
                    nextInput.push(new int[1]);
                }
            } else {
                nodes.pop();
                nextInput.pop();
                post.add(fn);
            }
        }
        Collections.reverse(post);
        return post;
    }
}
