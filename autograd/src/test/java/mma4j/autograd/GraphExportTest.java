package mma4j.autograd;

import static mma4j.autograd.Tensors.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The DOT export names variables and ops and connects them as the forward pass did. */
class GraphExportTest {

    /** node id -> label, read back from the DOT text. */
    private static java.util.Map<String, String> labels(String dot) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        Matcher k = Pattern.compile("(\\w+) \\[label=\"([^\"]*)\"").matcher(dot);
        while (k.find()) m.put(k.group(1), k.group(2));
        return m;
    }

    /** Edges as "fromLabel -> toLabel". */
    private static List<String> edges(String dot) {
        var l = labels(dot);
        Matcher e = Pattern.compile("(\\w+) -> (\\w+);").matcher(dot);
        List<String> out = new java.util.ArrayList<>();
        while (e.find()) out.add(l.get(e.group(1)) + " -> " + l.get(e.group(2)));
        return out;
    }

    @Test
    void linearReluGraph() {
        Variable x = Variable.of(uniform(1, 4, 3)).name("x");
        Variable w = Variable.param(uniform(2, 3, 2)).name("W");
        Variable b = Variable.param(uniform(3, 2)).name("b");
        Variable loss = x.matmul(w).add(b).relu().sum().name("loss");
        String dot = GraphExport.toDot(loss);
        assertTrue(dot.startsWith("digraph autograd {"), dot);
        assertEquals(List.of(
                "x\\n[4, 3] -> MatMul", "W\\n[3, 2] -> MatMul", "MatMul -> [4, 2]",
                "[4, 2] -> Add", "b\\n[2] -> Add", "Add -> [4, 2]",
                "[4, 2] -> Relu", "Relu -> [4, 2]",
                "[4, 2] -> Sum", "Sum -> loss\\n[]"), edges(dot));
        assertTrue(dot.contains("[label=\"W\\n[3, 2]\", shape=box, style=filled"), "parameters are filled boxes: " + dot);
        assertTrue(dot.contains("[label=\"x\\n[4, 3]\", shape=box, style=dashed"), "inputs are dashed: " + dot);
        assertEquals(List.of("Sum", "Relu", "Add", "MatMul"), GraphExport.backwardOrder(loss));
    }

    @Test
    void sharedNodesAppearOnce() {
        Variable x = Variable.param(uniform(4, 3)).name("x");
        Variable h = x.exp().name("h");
        Variable y = h.mul(h).add(h).sum();
        String dot = GraphExport.toDot(y);
        assertEquals(1, Pattern.compile("label=\"h\\\\n\\[3\\]\"").matcher(dot).results().count(), dot);
        assertEquals(1, Pattern.compile("label=\"x\\\\n\\[3\\]\"").matcher(dot).results().count(), dot);
        assertTrue(edges(dot).containsAll(List.of("h\\n[3] -> Mul", "h\\n[3] -> Add")), dot);
        assertEquals(List.of("Sum", "Add", "Mul", "Exp"), GraphExport.backwardOrder(y));
    }

    @Test
    void afterBackwardTheOpsAndParametersRemain() {
        Variable w = Variable.param(uniform(5, 3)).name("w");
        Variable loss = w.mul(2f).exp().sum();
        loss.backward();
        List<String> e = edges(GraphExport.toDot(loss));
        assertTrue(e.contains("w\\n[3] -> MulScalar"), e.toString());
        assertTrue(e.contains("[3] -> Exp"), e.toString());
    }

    @Test
    void namesAreEscaped() {
        Variable q = Variable.param(uniform(6, 2)).name("say \"hi\"");
        assertTrue(GraphExport.toDot(q.sum()).contains("say \\\"hi\\\""));
    }
}
