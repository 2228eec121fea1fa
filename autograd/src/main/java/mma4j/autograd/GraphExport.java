package mma4j.autograd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mma4j.tensor.Shapes;

/**
 * Writes the recorded graph in Graphviz DOT, for teaching and debugging:
 * {@code dot -Tsvg graph.dot -o graph.svg}.
 *
 * <p>Boxes are variables (name if set with {@link Variable#name(String)}, and shape); blue boxes
 * are leaves that require a gradient (what backward fills), dashed boxes are leaves that do not
 * (inputs, constants), the yellow box is the root. Ellipses are the recorded {@link Function}s.
 * Arrows follow the forward pass; backward walks them in reverse.
 *
 * <p>Export before backward (or after backward with retainGraph): backward frees each node's
 * input Variables, after which only the leaves that collected a gradient and the ops remain.
 */
public final class GraphExport {
    private GraphExport() {}

    /** The graph that produced the roots, as a DOT digraph. */
    public static String toDot(Variable... roots) {
        return new Writer().write(roots);
    }

    private static final class Writer {
        private final Map<Object, String> ids = new IdentityHashMap<>();
        private final Map<Object, String> names = new IdentityHashMap<>();
        private final StringBuilder nodes = new StringBuilder();
        private final StringBuilder edges = new StringBuilder();
        private int vars, ops;

        String write(Variable[] roots) {
            Set<Variable> rootSet = Collections.newSetFromMap(new IdentityHashMap<>());
            Collections.addAll(rootSet, roots);
            for (Variable r : roots) remember(r);
            // Forward order: inputs before the ops that use them, whatever the number of roots.
            Set<Function> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            List<Function> forward = new ArrayList<>();
            for (Variable r : roots) {
                if (r.gradFn() == null) continue;
                List<Function> order = Backward.topologicalOrder(r.gradFn());
                Collections.reverse(order);
                for (Function fn : order) if (seen.add(fn)) forward.add(fn);
            }
            for (Function fn : forward) for (Variable v : fn.inputs()) if (v != null) remember(v);
            for (Variable r : roots) if (r.gradFn() == null) variable(r, rootSet.contains(r));
            for (Function fn : forward) {
                String op = "op" + ops++;
                nodes.append("  ").append(op).append(" [label=\"").append(escape(fn.name())).append("\", shape=ellipse, style=filled, fillcolor=\"#e9ecef\"];\n");
                for (Object in : inputsOf(fn)) edges.append("  ").append(nodeFor(in, false)).append(" -> ").append(op).append(";\n");
                boolean isRoot = false;
                for (Variable r : roots) isRoot |= r.gradFn() == fn;
                edges.append("  ").append(op).append(" -> ").append(nodeFor(fn, isRoot)).append(";\n");
            }
            return "digraph autograd {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n" + nodes + edges + "}\n";
        }

        /** What input i of fn was: its Variable while the node still holds it, else the graph edge. */
        private List<Object> inputsOf(Function fn) {
            List<Object> in = new ArrayList<>();
            Variable[] held = fn.inputs();
            if (held.length > 0) {
                for (Variable v : held) if (v != null) in.add(v.gradFn() != null ? v.gradFn() : v);
                return in;
            }
            for (int i = 0; i < fn.arity(); i++) {
                if (fn.next(i) != null) in.add(fn.next(i));
                else if (fn.leaf(i) != null) in.add(fn.leaf(i));
            }
            return in;
        }

        private void remember(Variable v) {
            if (v.name() != null) names.put(v.gradFn() != null ? v.gradFn() : v, v.name());
        }

        /** A variable node: keyed by the leaf itself, or by the Function whose output it is. */
        private String nodeFor(Object key, boolean isRoot) {
            if (key instanceof Variable v) return variable(v, isRoot);
            String id = ids.get(key);
            if (id != null) return id;
            Function fn = (Function) key;
            id = "v" + vars++;
            ids.put(key, id);
            String style = isRoot ? "style=\"rounded,filled\", fillcolor=\"#fff3cd\"" : "style=rounded";
            nodes.append("  ").append(id).append(" [label=\"").append(label(names.get(fn), fn.outputShape()))
                    .append("\", shape=box, ").append(style).append("];\n");
            return id;
        }

        private String variable(Variable v, boolean isRoot) {
            String id = ids.get(v);
            if (id != null) return id;
            id = "v" + vars++;
            ids.put(v, id);
            String style = isRoot ? "style=\"rounded,filled\", fillcolor=\"#fff3cd\""
                    : v.requiresGrad() ? "style=filled, fillcolor=\"#cfe2ff\"" : "style=dashed";
            nodes.append("  ").append(id).append(" [label=\"").append(label(v.name(), v.shape())).append("\", shape=box, ").append(style).append("];\n");
            return id;
        }

        private static String label(String name, int[] shape) {
            String s = shape == null ? "?" : Shapes.str(shape);
            return name == null ? s : escape(name) + "\\n" + s;
        }

        private static String escape(String s) {
            return s.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }

    /** The ops in the order backward() will call them for this root ("Name#k" when a name repeats). */
    public static List<String> backwardOrder(Variable root) {
        List<String> out = new ArrayList<>();
        if (root.gradFn() == null) return out;
        Map<String, Integer> count = new java.util.HashMap<>();
        for (Function fn : Backward.runOrder(root.gradFn())) {
            int k = count.merge(fn.name(), 1, Integer::sum);
            out.add(k == 1 ? fn.name() : fn.name() + "#" + k);
        }
        return out;
    }
}
