package mma4j.nn.safetensors;

/** The safetensors element types this reader converts to float32 (and the two it writes: F32, I64). */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The type named in a header, or null if this reader does not know it. */
    static DType parse(String name) {
        for (DType d : values()) if (d.name().equals(name)) return d;
        return null;
    }

    /**
     * Rank in the Rust reference writer's dtype order (its enum's declaration order), which sorts
     * tensors by descending rank, then by name.
     */
    int writeRank() {
        return switch (this) {
            case F16 -> 11;
            case BF16 -> 12;
            case F32 -> 15;
            case F64 -> 16;
            case I64 -> 17;
        };
    }
}
