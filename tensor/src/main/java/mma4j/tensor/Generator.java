package mma4j.tensor;

/**
 * A seeded random generator (xoshiro256**) whose whole state can be saved and restored,
 * so that a resumed training run draws exactly the numbers an uninterrupted one would.
 */
public final class Generator {
    private long s0, s1, s2, s3;
    private double spareGaussian;
    private boolean hasSpare;

    public Generator(long seed) {
        long x = seed;
        s0 = x = splitMix(x);
        s1 = x = splitMix(x);
        s2 = x = splitMix(x);
        s3 = splitMix(x);
    }

    private static long splitMix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    /** Standard normal (Marsaglia polar method). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u, v, s;
        do {
            u = nextDouble() * 2 - 1;
            v = nextDouble() * 2 - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * m;
        hasSpare = true;
        return u * m;
    }

    /** Fisher-Yates shuffle of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The full state, for checkpoints: four words, the spare gaussian's bits and its flag. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareGaussian), hasSpare ? 1 : 0};
    }

    public void setState(long[] st) {
        if (st == null || st.length != 6) throw new IllegalArgumentException("Generator state must have 6 words, got " + (st == null ? "null" : st.length));
        s0 = st[0]; s1 = st[1]; s2 = st[2]; s3 = st[3];
        spareGaussian = Double.longBitsToDouble(st[4]);
        hasSpare = st[5] != 0;
    }
}
