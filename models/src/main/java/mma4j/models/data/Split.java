package mma4j.models.data;

import java.util.Locale;

/** Which part of a dataset to read. TinyImageNet's TEST is its labelled val folder. */
public enum Split {
    TRAIN,
    TEST;

    /** "train" or "test" (also accepts "val" for TEST), case-insensitive. */
    public static Split parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "train" -> TRAIN;
            case "test", "val" -> TEST;
            default -> throw new IllegalArgumentException("split must be train or test, got '" + s + "'");
        };
    }
}
