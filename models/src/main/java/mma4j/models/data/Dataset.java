package mma4j.models.data;

import java.util.List;

/**
 * A labelled image classification dataset held in memory. Images are C x H x W, channel planes
 * row-major (the layout of a PyTorch tensor), with values in [0, 1] as torchvision's ToTensor gives.
 */
public interface Dataset {
    /** Where it came from, for messages (e.g. "cifar10 train"). */
    String name();

    int size();

    int channels();

    int height();

    int width();

    int numClasses();

    /** One name per class index. */
    List<String> classNames();

    int label(int index);

    /** Writes image {@code index} (C*H*W floats in [0, 1]) into {@code dst} at {@code offset}. */
    void read(int index, float[] dst, int offset);

    /** Floats per image. */
    default int imageSize() {
        return channels() * height() * width();
    }

    default Sample get(int index) {
        float[] image = new float[imageSize()];
        read(index, image, 0);
        return new Sample(image, label(index));
    }
}
