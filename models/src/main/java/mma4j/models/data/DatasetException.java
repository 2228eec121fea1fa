package mma4j.models.data;

import java.nio.file.Path;

/**
 * A dataset that cannot be read: a missing directory or file, a truncated or corrupt file, a label
 * out of range. The message always names the file (or directory) and what is wrong with it.
 * Readers throw it before returning anything, so there are no partial datasets.
 */
public final class DatasetException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "FILE: what" */
    static DatasetException at(Path file, String what) {
        return new DatasetException(file + ": " + what);
    }

    static DatasetException at(Path file, String what, Throwable cause) {
        return new DatasetException(file + ": " + what, cause);
    }
}
