package mma4j.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
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
 *   <li>Leaves that require a gradient accumulate it into {@link Variable#grad()}.</li>
 * </ol>
 */
final class Backward {
    private Backward() {}

    static void run(Variable root, Tensor seed, boolean retainGraph) {
        List<Function> order = topologicalOrder(root.gradFn());
        Map<Object, Tensor> grads = new IdentityHashMap<>();
        grads.put(root.gradFn(), seed);
        for (Function fn : order) {
            Tensor g = grads.remove(fn);
            if (g == null) continue; // no path from the root carries gradient here
            if (fn.released()) {
                throw new IllegalStateException("Trying to backward through " + fn.name() + " a second time, but the graph was freed "
                        + "after the first backward. Pass retainGraph=true to the first backward(gradient, retainGraph) call.");
            }
            Tensor[] inGrads;
            try (var scope = GradMode.noGrad()) {
                inGrads = fn.backward(g);
            }
            Variable[] inputs = fn.inputsUnsafe();
            if (inGrads.length != inputs.length) {
                throw new IllegalStateException(fn.name() + ".backward returned " + inGrads.length + " gradients for " + inputs.length + " inputs");
            }
            for (int i = 0; i < inputs.length; i++) {
                Variable in = inputs[i];
                if (in == null || !in.requiresGrad() || inGrads[i] == null) continue;
                Tensor gi = fit(fn, i, inGrads[i], in);
                if (in.gradFn() == null) {
                    in.accumulateGrad(gi);
                } else {
                    if (in.retainsGrad()) in.accumulateGrad(gi);
                    grads.merge(in.gradFn(), gi, Tensor::add);
                }
            }
            if (!retainGraph) fn.release();
        }
    }

    /** Sums a broadcast gradient back to the input's shape, or fails naming the op. */
    private static Tensor fit(Function fn, int index, Tensor grad, Variable input) {
        int[] want = input.data().shape();
        Tensor fitted = Broadcast.sumTo(grad, want);
        if (fitted == null) {
            throw new IllegalStateException(fn.name() + ".backward returned a gradient of shape " + Shapes.str(grad.shape())
                    + " for input " + index + " of shape " + Shapes.str(want));
        }
        return fitted;
    }

    /** Nodes reachable from root, each after every node that uses its output. */
    static List<Function> topologicalOrder(Function root) {
        List<Function> post = new ArrayList<>();
        Set<Function> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {node, next input index}
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Function fn = (Function) top[0];
            Variable[] in = fn.inputsUnsafe();
            int i = (Integer) top[1];
            if (in != null && i < in.length) {
                top[1] = i + 1;
                Variable v = in[i];
                if (v != null && v.gradFn() != null && visited.add(v.gradFn())) stack.push(new Object[] {v.gradFn(), 0});
            } else {
                stack.pop();
                post.add(fn);
            }
        }
        java.util.Collections.reverse(post);
        return post;
    }

}
