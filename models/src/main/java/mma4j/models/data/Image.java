package mma4j.models.data;

/** A C x H x W float image, channel planes row-major, as transforms see it. */
public record Image(float[] data, int channels, int height, int width) {
    public Image {
        if (channels <= 0 || height <= 0 || width <= 0 || data.length != channels * height * width) {
            throw new IllegalArgumentException("Image: " + data.length + " values for shape " + channels + "x" + height + "x" + width);
        }
    }
}
