package mma4j.models.data;

import java.util.Arrays;
import mma4j.tensor.Generator;

/** x = (x - mean[c]) / std[c] per channel (torchvision's Normalize). Draws nothing. */
public final class Normalize implements Transform {
    private final float[] mean, std;

    public Normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: need one mean and one std per channel, got " + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (float s : std) {
            if (!(s > 0) || Float.isInfinite(s)) throw new IllegalArgumentException("Normalize: std must be positive and finite, got " + Arrays.toString(std));
        }
        for (float m : mean) {
            if (!Float.isFinite(m)) throw new IllegalArgumentException("Normalize: mean must be finite, got " + Arrays.toString(mean));
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public Normalize(ChannelStats stats) {
        this(stats.mean(), stats.std());
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    @Override
    public Image apply(Image image, Generator g) {
        if (image.channels() != mean.length) {
            throw new IllegalArgumentException("Normalize: " + mean.length + " channel means for an image with " + image.channels() + " channels");
        }
        float[] d = image.data();
        int plane = image.height() * image.width();
        for (int c = 0; c < mean.length; c++) {
            // Subtract then divide, as torchvision does, so the results match it bit for bit.
            float m = mean[c], s = std[c];
            for (int i = c * plane, end = i + plane; i < end; i++) d[i] = (d[i] - m) / s;
        }
        return image;
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
