package mma4j.nn.safetensors;

/**
 * A safetensors file that breaks the format. The message names the file and, where one is to
 * blame, the tensor's key; nothing from the file was loaded.
 */
public final class SafeTensorsException extends IllegalArgumentException {
    private final String file;
    private final String key;

    SafeTensorsException(String file, String key, String problem) {
        super("safetensors file " + file + (key != null ? ", tensor '" + key + "'" : "") + ": " + problem);
        this.file = file;
        this.key = key;
    }

    /** The file (or in-memory source) that was read. */
    public String file() {
        return file;
    }

    /** The tensor key at fault, or null when the problem is the file's header as a whole. */
    public String key() {
        return key;
    }
}
