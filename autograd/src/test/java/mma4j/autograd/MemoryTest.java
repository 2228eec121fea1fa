package mma4j.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Leak checks (not timings): a small conv net trained for 200 steps, SGD done by hand on the
 * Variables, keeps the heap flat after warm-up. Used heap is read after full GCs at step 50 and
 * step 200; the growth between them must stay under {@link #BOUND_BYTES}.
 */
class MemoryTest {
    static final long BOUND_BYTES = 20L << 20;
    static final int BATCH = 16, CLASSES = 10;

    /** conv(3->8, 3x3, pad 1) - batch-norm - relu - maxpool 2 - linear(8*8*8 -> 10), on 16x16 inputs. */
    static final class SmallConvNet {
        final Variable convW, convB, bnGamma, bnBeta, fcW, fcB;
        final Tensor runningMean = Tensor.zeros(8), runningVar = Tensor.ones(8);

        SmallConvNet(Generator g) {
            convW = Variable.param(Tensor.randn(g, 8, 3, 3, 3).mul(0.2f));
            convB = Variable.param(Tensor.zeros(8));
            bnGamma = Variable.param(Tensor.ones(8));
            bnBeta = Variable.param(Tensor.zeros(8));
            fcW = Variable.param(Tensor.randn(g, CLASSES, 512).mul(0.05f));
            fcB = Variable.param(Tensor.zeros(CLASSES));
        }

        Variable loss(Tensor images, int[] labels) {
            Variable x = Variable.of(images);
            Variable h = Functional.conv2d(x, convW, convB, 1, 1);
            h = Functional.batchNorm(h, runningMean, runningVar, bnGamma, bnBeta, true, 0.1f, 1e-5f);
            h = Functional.maxPool2d(Functional.relu(h), 2, 2, 0);
            Variable logits = Functional.linear(Functional.flatten(h), fcW, fcB);
            return Functional.crossEntropy(logits, labels);
        }

        void sgdStep(float lr) {
            for (Variable p : List.of(convW, convB, bnGamma, bnBeta, fcW, fcB)) {
                p.data().subInPlace(p.grad().mul(lr));
                p.zeroGrad();
            }
        }
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // the minimum over a few full collections: stray garbage only raises it
            System.gc();
            used = Math.min(used, mx.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Trains for 200 steps and returns the heap growth from step 50 to step 200; keep receives each step's loss (or not). */
    static long heapGrowth(String label, boolean retainGraph, List<Variable> keep) {
        Generator g = new Generator(7);
        SmallConvNet net = new SmallConvNet(g);
        long at50 = 0;
        float first = Float.NaN, last = Float.NaN;
        for (int step = 1; step <= 200; step++) {
            Tensor images = Tensor.randn(g, BATCH, 3, 16, 16);
            int[] labels = new int[BATCH];
            for (int i = 0; i < BATCH; i++) labels[i] = (int) (g.nextDouble() * CLASSES);
            Variable loss = net.loss(images, labels);
            loss.backward(retainGraph);
            net.sgdStep(0.05f);
            if (keep != null) keep.add(loss);
            if (step == 1) first = loss.item();
            last = loss.item();
            if (step == 50) at50 = usedHeapAfterGc();
        }
        long growth = usedHeapAfterGc() - at50;
        System.out.printf("MemoryTest %s: used heap after GC grew by %.2f MB from step 50 to 200 (loss %.3f -> %.3f)%n",
                label, growth / 1048576.0, first, last);
        assertTrue(Float.isFinite(last), "training diverged");
        return growth;
    }

    @Test
    void twoHundredTrainingStepsKeepTheHeapFlat() {
        long growth = heapGrowth("plain loop", false, null);
        assertTrue(growth < BOUND_BYTES, () -> "heap grew by " + growth / 1048576.0 + " MB over 150 steps (bound " + (BOUND_BYTES >> 20) + " MB)");
    }

    @Test
    void keepingEveryLossDoesNotKeepItsActivations() {
        // After backward a node holds only edges, so a loss kept for logging does not pin the activations.
        List<Variable> kept = new ArrayList<>();
        long growth = heapGrowth("every loss kept", false, kept);
        assertTrue(growth < BOUND_BYTES, () -> "heap grew by " + growth / 1048576.0 + " MB while keeping " + kept.size() + " losses");
    }

    @Test
    void theCheckSeesALeakWhenGraphsAreKept() {
        // The same loop keeping each step's whole graph (retainGraph + a reference) must exceed the bound:
        // proof that the measurement can fail.
        List<Variable> kept = new ArrayList<>();
        long growth = heapGrowth("graphs retained (deliberate leak)", true, kept);
        assertTrue(growth > BOUND_BYTES, () -> "a deliberate leak of 150 graphs grew the heap by only " + growth / 1048576.0 + " MB");
    }
}
