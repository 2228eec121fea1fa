package mma4j.models.data;

import java.util.Arrays;
import mma4j.tensor.Generator;

/**
 * Zero-pads each side by {@code padding}, then cuts a random height x width window
 * (torchvision's RandomCrop(size, padding) with fill 0). Two draws per image, top then left, even
 * when there is only one possible window.
 *
 * <p>Pad before Normalize, as torchvision does: the padding is then black, not the mean colour.
 */
public final class RandomCrop implements Transform {
    private final int height, width, padding;

    public RandomCrop(int size, int padding) {
        this(size, size, padding);
    }

    public RandomCrop(int height, int width, int padding) {
        if (height <= 0 || width <= 0 || padding < 0) {
            throw new IllegalArgumentException("RandomCrop: size must be positive and padding non-negative, got " + height + "x" + width + " padding " + padding);
        }
        this.height = height;
        this.width = width;
        this.padding = padding;
    }

    @Override
    public int[] outputShape(int c, int h, int w) {
        checkFits(h, w);
        return new int[] {c, height, width};
    }

    private void checkFits(int h, int w) {
        if (h + 2 * padding < height || w + 2 * padding < width) {
            throw new IllegalArgumentException("RandomCrop: a " + height + "x" + width + " window does not fit a " + h + "x" + w
                    + " image padded by " + padding);
        }
    }

    @Override
    public Image apply(Image image, Generator g) {
        int c = image.channels(), h = image.height(), w = image.width();
        checkFits(h, w);
        int top = g.nextInt(h + 2 * padding - height + 1);
        int left = g.nextInt(w + 2 * padding - width + 1);
        return crop(image, top - padding, left - padding, height, width);
    }

    /**
     * Output pixel (y, x) is input pixel (y + dy, x + dx), or 0 where that falls outside the input.
     * When the output has the input's shape it overwrites the input: rows are visited in the
     * direction that reads each source row before it is overwritten, and System.arraycopy handles
     * overlap within a row.
     */
    static Image crop(Image image, int dy, int dx, int outH, int outW) {
        int c = image.channels(), h = image.height(), w = image.width();
        boolean inPlace = outH == h && outW == w;
        float[] src = image.data();
        float[] dst = inPlace ? src : new float[c * outH * outW];
        int x0 = Math.max(0, -dx), x1 = Math.min(outW, w - dx); // output columns with a source pixel
        for (int ch = 0; ch < c; ch++) {
            int srcPlane = ch * h * w, dstPlane = ch * outH * outW;
            for (int k = 0; k < outH; k++) {
                int y = dy >= 0 ? k : outH - 1 - k;
                int sy = y + dy, row = dstPlane + y * outW;
                if (sy < 0 || sy >= h || x1 <= x0) {
                    Arrays.fill(dst, row, row + outW, 0f);
                    continue;
                }
                System.arraycopy(src, srcPlane + sy * w + x0 + dx, dst, row + x0, x1 - x0);
                Arrays.fill(dst, row, row + x0, 0f);
                Arrays.fill(dst, row + x1, row + outW, 0f);
            }
        }
        return inPlace ? image : new Image(dst, c, outH, outW);
    }

    @Override
    public String toString() {
        return "RandomCrop(" + height + "x" + width + ", padding=" + padding + ")";
    }
}
