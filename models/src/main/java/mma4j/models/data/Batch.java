package mma4j.models.data;

import mma4j.tensor.Tensor;

/**
 * One mini-batch: images [B, C, H, W] and their class labels, with where it sits (epoch, index of
 * the batch within the epoch).
 */
public record Batch(Tensor images, int[] labels, int epoch, int index) {
    public int size() {
        return labels.length;
    }

    /** The labels as a float tensor of shape [B] (class indices stored as floats). */
    public Tensor labelTensor() {
        float[] v = new float[labels.length];
        for (int i = 0; i < v.length; i++) v[i] = labels[i];
        return Tensor.wrap(v, v.length);
    }
}
