package mma4j.models.data;

import java.util.List;
import java.util.stream.Collectors;
import mma4j.tensor.Generator;

/** Transforms applied one after another (torchvision's Compose). */
public final class Compose implements Transform {
    private final List<Transform> transforms;

    private Compose(List<Transform> transforms) {
        this.transforms = List.copyOf(transforms);
    }

    public static Compose of(Transform... transforms) {
        return new Compose(List.of(transforms));
    }

    public List<Transform> transforms() {
        return transforms;
    }

    @Override
    public Image apply(Image image, Generator g) {
        for (Transform t : transforms) image = t.apply(image, g);
        return image;
    }

    @Override
    public int[] outputShape(int c, int h, int w) {
        int[] s = {c, h, w};
        for (Transform t : transforms) s = t.outputShape(s[0], s[1], s[2]);
        return s;
    }

    @Override
    public String toString() {
        return transforms.stream().map(Object::toString).collect(Collectors.joining(", ", "Compose(", ")"));
    }
}
