package mma4j.models.data;

import java.util.Arrays;
import mma4j.tensor.Generator;

/**
 * A per-image transform, torchvision style. Random transforms draw only from the generator they are
 * handed, always the same number of draws per image, so a seed fixes every augmentation.
 */
public interface Transform {
    /** Transforms {@code image}; may change it in place and return it. */
    Image apply(Image image, Generator g);

    /** The shape [C, H, W] this transform gives an image of shape [c, h, w]. */
    default int[] outputShape(int c, int h, int w) {
        return new int[] {c, h, w};
    }

    /** Does nothing. */
    static Transform identity() {
        return Compose.of();
    }

    /** Applies the transforms in order. */
    static Transform compose(Transform... transforms) {
        return Compose.of(transforms);
    }

    /** Checks a shape against what a transform expects. */
    static void requireShape(String op, int[] expected, Image image) {
        int[] got = {image.channels(), image.height(), image.width()};
        if (!Arrays.equals(expected, got)) {
            throw new IllegalArgumentException(op + ": expected an image of shape " + Arrays.toString(expected) + ", got " + Arrays.toString(got));
        }
    }
}
