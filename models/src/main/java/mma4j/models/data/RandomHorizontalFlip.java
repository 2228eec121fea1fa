package mma4j.models.data;

import mma4j.tensor.Generator;

/** Mirrors the image left-right with probability p (torchvision's RandomHorizontalFlip). One draw per image. */
public final class RandomHorizontalFlip implements Transform {
    private final double p;

    public RandomHorizontalFlip() {
        this(0.5);
    }

    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        this.p = p;
    }

    @Override
    public Image apply(Image image, Generator g) {
        // Draw even when p is 0 or 1, so that changing p never shifts the numbers later transforms see.
        if (g.nextDouble() < p) flip(image);
        return image;
    }

    /** Mirrors every row in place. */
    static void flip(Image image) {
        float[] d = image.data();
        int w = image.width();
        for (int row = 0, rows = image.channels() * image.height(); row < rows; row++) {
            for (int a = row * w, b = a + w - 1; a < b; a++, b--) {
                float t = d[a];
                d[a] = d[b];
                d[b] = t;
            }
        }
    }

    @Override
    public String toString() {
        return "RandomHorizontalFlip(p=" + p + ")";
    }
}
