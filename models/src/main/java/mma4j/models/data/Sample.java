package mma4j.models.data;

/** One example: a C*H*W image (channel planes, row-major) with values in [0, 1], and its class. */
public record Sample(float[] image, int label) {}
