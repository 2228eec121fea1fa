package mma4j.bench;

import java.util.concurrent.TimeUnit;
import mma4j.models.bench.StepSetup;
import mma4j.models.train.TrainStep;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full training step (forward, cross-entropy, regularizer, backward, SGD update) of a
 * CIFAR-100 model. Run with {@code -prof gc} for the allocation per step:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar TrainStepBench -p model=vgg19_bn -p batch=32 -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g"})
public class TrainStepBench {
    @Param({"vgg19_bn", "resnet56"})
    public String model;

    @Param({"32", "128"})
    public int batch;

    @Param({"none", "mma", "orthogonal", "mhe2", "mhe0"})
    public String reg;

    private StepSetup setup;

    @Setup
    public void setup() {
        setup = new StepSetup(model, batch, reg, 0);
    }

    @Benchmark
    public TrainStep.Result step() {
        return setup.run();
    }
}
