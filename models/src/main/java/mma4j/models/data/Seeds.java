package mma4j.models.data;

/**
 * Derives independent seeds from (seed, keys...) with the SplitMix64 finalizer, so that the random
 * numbers of epoch e, sample position p are a pure function of (seed, e, p): no generator is shared
 * between threads, and a resumed run needs only (seed, epoch, position) to draw the same numbers.
 */
final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    static long derive(long seed, long... keys) {
        long h = mix(seed + GOLDEN);
        for (long k : keys) h = mix(h ^ mix(k + GOLDEN));
        return h;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
