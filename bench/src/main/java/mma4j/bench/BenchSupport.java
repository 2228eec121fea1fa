package mma4j.bench;

/** JVM flags every benchmark fork needs: the incubating Vector API. */
final class BenchSupport {
    static final String[] JVM_ARGS = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g"};

    private BenchSupport() {}
}
