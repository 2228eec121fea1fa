package mma4j.nn.tammes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mma4j.autograd.Function;
import mma4j.autograd.Variable;
import mma4j.nn.regularizers.NearestNeighbourLoss;
import mma4j.nn.regularizers.PairEnergy;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.Simd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class TammesTest {

    static Function layerRegularizer(TammesLoss loss) {
        return switch (loss) {
            case MMA -> new NearestNeighbourLoss(NearestNeighbourLoss.Term.MMA);
            case COSINE -> new NearestNeighbourLoss(NearestNeighbourLoss.Term.COSINE);
            case RIESZ -> PairEnergy.mhe(2);
            case LOG -> PairEnergy.mhe(0);
        };
    }

    /** The solver's objective is the layer regularizer of the same name: same value, same gradient (vector and scalar paths). */
    @ParameterizedTest
    @EnumSource(TammesLoss.class)
    void objectiveIsTheLayerRegularizer(TammesLoss loss) {
        int n = 45, d = 4; // 44 > one vector of pairs per row, plus tails
        Generator gen = new Generator(3);
        float[] x = new float[n * d];
        for (int k = 0; k < x.length; k++) x[k] = (float) gen.nextGaussian();
        // A near-duplicate (about 0.03 rad): MHE's close-pair path. (Exact duplicates are covered by the
        // regularizer tests; here float32 would leave ~1e-2 of radial noise that normalization removes.)
        for (int p = 0; p < d; p++) x[7 * d + p] = x[p] + 0.03f * (float) gen.nextGaussian();
        Variable w = Variable.param(Tensor.of(x, n, d));
        Variable ref = layerRegularizer(loss).apply(w);
        ref.backward();
        float[] refGrad = w.grad().toArray();
        boolean simd = Simd.enabled();
        try {
            for (boolean vector : new boolean[] {true, false}) {
                Simd.setEnabled(vector);
                float[] grad = new float[x.length];
                double value = new Objective(loss, n, d).valueAndGradient(x.clone(), grad);
                assertEquals(ref.item(), value, 1e-5 * Math.max(1, Math.abs(ref.item())), loss + " value, vector " + vector);
                double worst = 0, scale = 0;
                for (int k = 0; k < grad.length; k++) {
                    worst = Math.max(worst, Math.abs(grad[k] - refGrad[k]));
                    scale = Math.max(scale, Math.abs(refGrad[k]));
                }
                assertTrue(worst <= 1e-4 * Math.max(1, scale), loss + " gradient differs by " + worst + " (scale " + scale + "), vector " + vector);
            }
        } finally {
            Simd.setEnabled(simd);
        }
    }

    @Test
    void plateauScheduleMatchesPyTorchsRule() {
        PlateauSchedule s = new PlateauSchedule(0.1, 0.2, 10, 1e-4);
        assertEquals(0.1, s.step(1.0), 0);
        for (int k = 0; k < 10; k++) assertEquals(0.1, s.step(1.0), 0, "patience 10: ten bad steps are tolerated");
        assertEquals(0.02, s.step(1.0), 1e-12, "the eleventh bad step divides by 5");
        // A negative loss (MMA's): best * (1 - 1e-4) lies above best, so a hair-worse value still counts as better.
        PlateauSchedule neg = new PlateauSchedule(0.1, 0.2, 0, 1e-4);
        neg.step(-1.0);
        assertEquals(0.1, neg.step(-0.99995), 0, "worse by 5e-5 (relative) still counts as better");
        assertEquals(0.02, neg.step(-0.9), 1e-12, "a real step back is bad; patience 0 reduces at once");
    }

    /** The paper's recipe on the rows that take well under a second, against the paper's MMA column. */
    @ParameterizedTest
    @CsvSource({"3, 4, 109.5", "4, 5, 104.5", "5, 6, 101.5", "3, 30, 38.5", "5, 30, 65.5"})
    void paperRecipeReproducesThePaper(int d, int n, double paper) {
        TammesResult r = TammesSolver.solve(d, n, TammesLoss.MMA, TammesSolver.Method.PAPER, 0);
        assertEquals(paper, r.minAngleDeg(), 1.0, r.toString());
    }

    @ParameterizedTest
    @CsvSource({"3, 4, 109.4712", "4, 5, 104.4775", "5, 6, 101.5370", "3, 30, 38.5971"})
    void bestSolverReachesTheBestKnownPacking(int d, int n, double bestKnown) {
        TammesResult r = TammesSolver.solve(d, n, TammesLoss.MMA, TammesSolver.Method.BEST, 0);
        assertEquals(bestKnown, r.minAngleDeg(), 0.2, r.toString());
        assertTrue(r.minAngleDeg() <= bestKnown + 1e-3, "cannot beat the optimum: " + r);
    }

    @Test
    void resultsAreUnitPointsAndReproducible() {
        TammesResult a = TammesSolver.solve(3, 12, TammesLoss.MMA, TammesSolver.Method.BEST, 50, 7);
        TammesResult b = TammesSolver.solve(3, 12, TammesLoss.MMA, TammesSolver.Method.BEST, 50, 7);
        assertArrayEquals(a.coordinates(), b.coordinates());
        for (int i = 0; i < 12; i++) {
            double s = 0;
            for (int p = 0; p < 3; p++) s += a.coordinates()[i * 3 + p] * a.coordinates()[i * 3 + p];
            assertEquals(1, s, 1e-12);
        }
        assertTrue(a.toJson().contains("\"min_angle_deg\": ") && a.toJson().contains("\"solver\": \"best\""), a.toJson());
    }

    @Test
    void badInputIsNamed() {
        var d = assertThrows(IllegalArgumentException.class, () -> TammesSolver.solve(1, 10, TammesLoss.MMA, TammesSolver.Method.PAPER, 10, 0));
        assertTrue(d.getMessage().contains("got 1") && d.getMessage().contains("dimension"), d.getMessage());
        var n = assertThrows(IllegalArgumentException.class, () -> TammesSolver.solve(3, 1, TammesLoss.MMA, TammesSolver.Method.PAPER, 10, 0));
        assertTrue(n.getMessage().contains("got 1") && n.getMessage().contains("points"), n.getMessage());
        var big = assertThrows(IllegalArgumentException.class, () -> TammesSolver.solve(3, 1_000_000, TammesLoss.MMA, TammesSolver.Method.PAPER, 10, 0));
        assertTrue(big.getMessage().contains("1000000"), big.getMessage());
        var it = assertThrows(IllegalArgumentException.class, () -> TammesSolver.solve(3, 10, TammesLoss.MMA, TammesSolver.Method.PAPER, 0, 0));
        assertTrue(it.getMessage().contains("got 0"), it.getMessage());
        var loss = assertThrows(IllegalArgumentException.class, () -> TammesLoss.parse("thomson"));
        assertTrue(loss.getMessage().contains("'thomson'"), loss.getMessage());
        var solver = assertThrows(IllegalArgumentException.class, () -> TammesSolver.Method.parse("fast"));
        assertTrue(solver.getMessage().contains("'fast'"), solver.getMessage());
        var mismatch = assertThrows(IllegalArgumentException.class, () -> TammesSolver.solve(3, 10, TammesLoss.RIESZ, TammesSolver.Method.BEST, 10, 0));
        assertTrue(mismatch.getMessage().contains("riesz"), mismatch.getMessage());
    }

    @Test
    void table1RunsSelectedRows() {
        Table1 t = Table1.run(List.of(Table1.PAPER.get(0), Table1.PAPER.get(3)), 1, 0, 2);
        assertEquals(2, t.rows().size());
        for (Table1.Row r : t.rows()) {
            assertEquals(r.reference().bestKnown(), r.best(), 0.2);
            assertEquals(4, r.paperRecipe().size());
        }
        assertTrue(t.toTable().contains("| 4 | 5 |"), t.toTable());
        assertTrue(t.toJson().contains("\"riesz\": {"), t.toJson());
    }
}
