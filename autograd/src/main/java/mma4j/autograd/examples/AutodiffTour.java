package mma4j.autograd.examples;

import java.util.Locale;
import mma4j.autograd.GraphExport;
import mma4j.autograd.Variable;
import mma4j.tensor.Tensor;

/**
 * The example that docs/autodiff.md walks through: loss = relu(x W + b).sum().
 * It prints the forward values, the recorded graph in Graphviz DOT, the order in which
 * backward visits the ops, and every gradient.
 *
 * <pre>
 * ./mvnw -q -B -pl autograd -am compile
 * java --add-modules jdk.incubator.vector -cp tensor/target/classes:autograd/target/classes mma4j.autograd.examples.AutodiffTour
 * </pre>
 */
public final class AutodiffTour {
    private AutodiffTour() {}

    public static void main(String[] args) {
        // Leaves: x is data (no gradient wanted), W and b are parameters.
        Variable x = Variable.of(Tensor.of(new float[] {1, 2, -1, 0.5f, -1, 2}, 2, 3)).name("x");
        Variable w = Variable.param(Tensor.of(new float[] {0.5f, -1, 0.25f, 1, -0.5f, 0.5f}, 3, 2)).name("W");
        Variable b = Variable.param(Tensor.vector(0.125f, 0.75f)).name("b");

        // Forward: each op runs its Function.forward and records a node.
        Variable h = x.matmul(w).name("h").retainGrad();     // Basic.MatMul
        Variable z = h.add(b).name("z").retainGrad();        // Basic.Add, b broadcast over rows
        Variable r = z.relu().name("r").retainGrad();        // Basic.Relu
        Variable loss = r.sum().name("loss");                 // Basic.Sum

        System.out.println("== forward");
        print("x", x.data());
        print("W", w.data());
        print("b", b.data());
        print("h = x W", h.data());
        print("z = h + b", z.data());
        print("r = relu(z)", r.data());
        print("loss = sum(r)", loss.data());

        System.out.println("\n== recorded graph (Graphviz DOT)");
        System.out.print(GraphExport.toDot(loss));

        System.out.println("\n== backward order");
        System.out.println(String.join(" -> ", GraphExport.backwardOrder(loss)));

        loss.backward();

        System.out.println("\n== gradients");
        print("dloss/dr", r.grad());
        print("dloss/dz", z.grad());
        print("dloss/dh", h.grad());
        print("dloss/dW", w.grad());
        print("dloss/db", b.grad());
        System.out.println("dloss/dx = " + (x.grad() == null ? "null (x does not require grad)" : x.grad()));
    }

    private static void print(String label, Tensor t) {
        System.out.println(label + " = " + format(t));
    }

    /** Nested brackets, like PyTorch prints a tensor. */
    static String format(Tensor t) {
        float[] v = t.toArray();
        int[] s = t.shape();
        if (s.length == 0) return fmt(v[0]);
        StringBuilder sb = new StringBuilder();
        append(sb, v, s, 0, 0);
        return sb.toString();
    }

    private static int append(StringBuilder sb, float[] v, int[] s, int dim, int pos) {
        sb.append('[');
        for (int i = 0; i < s[dim]; i++) {
            if (i > 0) sb.append(", ");
            if (dim == s.length - 1) sb.append(fmt(v[pos++]));
            else pos = append(sb, v, s, dim + 1, pos);
        }
        sb.append(']');
        return pos;
    }

    private static String fmt(float f) {
        return String.format(Locale.ROOT, "%.4g", f).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1");
    }
}
