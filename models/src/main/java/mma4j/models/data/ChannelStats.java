package mma4j.models.data;

import java.util.Arrays;

/** Per-channel mean and standard deviation of pixel values in [0, 1], as Normalize takes them. */
public record ChannelStats(float[] mean, float[] std) {
    public ChannelStats {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("ChannelStats: need one mean and one std per channel, got " + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override public float[] mean() { return mean.clone(); }
    @Override public float[] std() { return std.clone(); }

    /**
     * Measures a dataset: mean and population standard deviation of every pixel of every image,
     * channel by channel (the numbers the usual normalization constants come from).
     */
    public static ChannelStats compute(Dataset d) {
        int c = d.channels(), plane = d.height() * d.width();
        double[] sum = new double[c], sumSq = new double[c];
        float[] img = new float[d.imageSize()];
        for (int i = 0; i < d.size(); i++) {
            d.read(i, img, 0);
            for (int ch = 0; ch < c; ch++) {
                double s = 0, q = 0;
                for (int j = ch * plane, end = j + plane; j < end; j++) {
                    s += img[j];
                    q += (double) img[j] * img[j];
                }
                sum[ch] += s;
                sumSq[ch] += q;
            }
        }
        double count = (double) d.size() * plane;
        float[] mean = new float[c], std = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double m = sum[ch] / count;
            mean[ch] = (float) m;
            std[ch] = (float) Math.sqrt(Math.max(0, sumSq[ch] / count - m * m));
        }
        return new ChannelStats(mean, std);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelStats s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "ChannelStats(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
