package mma4j.nn.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * Reads and writes state dicts in the safetensors format, so that weights move between mma4j
 * and PyTorch with the same keys.
 *
 * <p>The format: 8 bytes N (unsigned little-endian), N bytes of UTF-8 JSON mapping each key to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets into the data that follows,
 * plus an optional {@code "__metadata__"} map of strings), then the raw little-endian data. The
 * tensors must tile the data exactly: no overlap, no hole, nothing after the last one.
 *
 * <p>Reading accepts F32, F64, F16, BF16 and I64 and converts every tensor to float32 (I64 is
 * what PyTorch uses for num_batches_tracked). Writing uses F32, except keys ending in
 * {@code num_batches_tracked}, which are written as I64 as PyTorch does. The writer orders
 * tensors as the reference (Rust) writer does, by dtype then name, pads the header with spaces
 * to a multiple of 8, and writes to a temporary file in the same folder that is then renamed
 * over the target, so a crash never leaves a half-written file.
 *
 * <p>A malformed file throws {@link SafeTensorsException} naming the file and the key; nothing is
 * returned from it. I/O failures throw IOException.
 */
public final class SafeTensors {
    /** Headers larger than this are refused, as the reference reader does (100 MB). */
    public static final long MAX_HEADER_SIZE = 100_000_000L;
    private static final String METADATA_KEY = "__metadata__";
    private static final int CHUNK_ELEMENTS = 1 << 16;

    private SafeTensors() {}

    /** What a file holds: tensors by key (sorted), the metadata, and each tensor's stored dtype. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, DType> dtypes) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            dtypes = Collections.unmodifiableMap(new LinkedHashMap<>(dtypes));
        }
    }

    // ------------------------------------------------------------------ reading

    /** The tensors of a file, by key in sorted order, as float32 (e.g. for Module.loadStateDict). */
    public static LinkedHashMap<String, Tensor> load(Path file) throws IOException {
        return new LinkedHashMap<>(read(file).tensors());
    }

    /** Tensors, metadata and stored dtypes of a file. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse(file.toString(), new Source() {
                @Override public long size() throws IOException { return ch.size(); }
                @Override public ByteBuffer read(long pos, int len) throws IOException {
                    ByteBuffer b = ByteBuffer.allocate(len);
                    while (b.hasRemaining()) {
                        if (ch.read(b, pos + b.position()) < 0) throw new IOException("unexpected end of " + file + " at byte " + (pos + b.position()));
                    }
                    return b.flip();
                }
            });
        }
    }

    /** Parses an in-memory safetensors image; {@code name} is used in error messages. */
    public static Contents deserialize(byte[] bytes, String name) {
        try {
            return parse(name, new Source() {
                @Override public long size() { return bytes.length; }
                @Override public ByteBuffer read(long pos, int len) { return ByteBuffer.wrap(bytes, (int) pos, len).slice(); }
            });
        } catch (IOException e) {
            throw new IllegalStateException("deserialize: in-memory read failed", e);
        }
    }

    private interface Source {
        long size() throws IOException;
        ByteBuffer read(long pos, int len) throws IOException;
    }

    private record Entry(String key, DType dtype, int[] shape, long begin, long end) {}

    private static Contents parse(String file, Source src) throws IOException {
        long fileSize = src.size();
        if (fileSize < 8) throw new SafeTensorsException(file, null, "file is " + fileSize + " bytes, too short for the 8-byte header length");
        long n = src.read(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER_SIZE) {
            throw new SafeTensorsException(file, null, "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_SIZE + " bytes");
        }
        if (n > fileSize - 8) throw new SafeTensorsException(file, null, "header length " + n + " runs past the end of the file (" + fileSize + " bytes)");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(src.read(8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, null, "header is not valid UTF-8");
        }
        Object json;
        try {
            json = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new SafeTensorsException(file, null, "header is not valid JSON: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> header)) throw new SafeTensorsException(file, null, "header is not a JSON object");

        long dataSize = fileSize - 8 - n;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (var e : header.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
                continue;
            }
            entries.add(entry(file, key, e.getValue(), dataSize));
        }
        checkTiling(file, entries, dataSize);

        TreeMap<String, Tensor> tensors = new TreeMap<>();
        TreeMap<String, DType> dtypes = new TreeMap<>();
        long dataStart = 8 + n;
        for (Entry en : entries) {
            float[] values = new float[Shapes.numel(en.shape())];
            decode(src.read(dataStart + en.begin(), (int) (en.end() - en.begin())).order(ByteOrder.LITTLE_ENDIAN), en.dtype(), values);
            tensors.put(en.key(), Tensor.wrap(values, en.shape()));
            dtypes.put(en.key(), en.dtype());
        }
        return new Contents(tensors, metadata, dtypes);
    }

    private static Map<String, String> metadata(String file, Object v) {
        if (!(v instanceof Map<?, ?> m)) throw new SafeTensorsException(file, METADATA_KEY, "metadata must be an object of strings");
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafeTensorsException(file, METADATA_KEY, "metadata value of '" + e.getKey() + "' is not a string: " + Json.write(e.getValue()));
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String file, String key, Object v, long dataSize) {
        if (!(v instanceof Map<?, ?> info)) throw new SafeTensorsException(file, key, "entry is not an object");
        for (Object field : info.keySet()) {
            if (!field.equals("dtype") && !field.equals("shape") && !field.equals("data_offsets")) {
                throw new SafeTensorsException(file, key, "unknown field '" + field + "' (expected dtype, shape, data_offsets)");
            }
        }
        if (!(info.get("dtype") instanceof String dtypeName)) throw new SafeTensorsException(file, key, "dtype is missing or not a string");
        DType dtype = DType.parse(dtypeName);
        if (dtype == null) throw new SafeTensorsException(file, key, "unsupported dtype '" + dtypeName + "' (this reader takes F32, F64, F16, BF16, I64)");
        if (!(info.get("shape") instanceof List<?> dims)) throw new SafeTensorsException(file, key, "shape is missing or not an array");
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new SafeTensorsException(file, key, "shape " + Json.write(dims) + " must hold non-negative integers");
            }
            shape[i] = (int) (long) d;
            numel *= d;
            if (numel > Integer.MAX_VALUE) throw new SafeTensorsException(file, key, "shape " + Json.write(dims) + " has more elements than a Java array can hold");
        }
        if (!(info.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end) || begin < 0 || end < begin) {
            throw new SafeTensorsException(file, key, "data_offsets " + Json.write(info.get("data_offsets")) + " must be [begin, end] with 0 <= begin <= end");
        }
        if (end > dataSize) {
            throw new SafeTensorsException(file, key, "data_offsets [" + begin + ", " + end + "] lie outside the data section (" + dataSize + " bytes)");
        }
        long bytes = numel * dtype.size();
        if (end - begin != bytes) {
            throw new SafeTensorsException(file, key, "shape " + Shapes.str(shape) + " of " + dtype + " needs " + bytes + " bytes but data_offsets ["
                    + begin + ", " + end + "] span " + (end - begin));
        }
        return new Entry(key, dtype, shape, begin, end);
    }

    /** The tensors must cover the data exactly once, in some order (the format forbids holes). */
    private static void checkTiling(String file, List<Entry> entries, long dataSize) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin() < at) {
                throw new SafeTensorsException(file, e.key(), "data_offsets [" + e.begin() + ", " + e.end() + "] overlap tensor '" + prev.key()
                        + "' at [" + prev.begin() + ", " + prev.end() + "]");
            }
            if (e.begin() > at) {
                throw new SafeTensorsException(file, e.key(), "data_offsets [" + e.begin() + ", " + e.end() + "] leave bytes " + at + ".." + e.begin()
                        + " unused (the format allows no holes)");
            }
            at = e.end();
            prev = e;
        }
        if (at != dataSize) {
            throw new SafeTensorsException(file, null, "the tensors end at byte " + at + " of the data section but it has " + dataSize
                    + " bytes (trailing data)");
        }
    }

    private static void decode(ByteBuffer b, DType dtype, float[] out) {
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < out.length; i++) out[i] = (float) b.getDouble(); }
            case F16 -> { for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(b.getShort()); }
            case BF16 -> { for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16); }
            case I64 -> { for (int i = 0; i < out.length; i++) out[i] = (float) b.getLong(); }
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes tensors (e.g. a Module's stateDict()) atomically. */
    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    /** Writes tensors and string metadata (PyTorch writes {"format": "pt"}) atomically. */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Prepared p = prepare(file.toString(), tensors, metadata);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap(p.prefix()));
                ByteBuffer buf = ByteBuffer.allocate(CHUNK_ELEMENTS * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (var e : p.order()) {
                    float[] values = e.getValue().toArray();
                    DType dtype = dtypeFor(e.getKey());
                    for (int from = 0; from < values.length; from += CHUNK_ELEMENTS) {
                        buf.clear();
                        encode(values, from, Math.min(values.length, from + CHUNK_ELEMENTS), dtype, buf);
                        writeFully(ch, buf.flip());
                    }
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }

    /** The whole file as bytes (what {@link #save} writes). */
    public static byte[] serialize(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Prepared p = prepare("<memory>", tensors, metadata);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(p.prefix().length + p.dataSize())).order(ByteOrder.LITTLE_ENDIAN);
        out.put(p.prefix());
        for (var e : p.order()) {
            float[] v = e.getValue().toArray();
            encode(v, 0, v.length, dtypeFor(e.getKey()), out);
        }
        return out.array();
    }

    private record Prepared(byte[] prefix, List<Map.Entry<String, Tensor>> order, long dataSize) {}

    private static Prepared prepare(String file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            String key = e.getKey();
            if (key == null || key.equals(METADATA_KEY)) throw new IllegalArgumentException("safetensors save " + file + ": invalid key '" + key + "'");
            if (e.getValue() == null) throw new IllegalArgumentException("safetensors save " + file + ": tensor '" + key + "' is null");
            if (dtypeFor(key) == DType.I64) checkIntegral(file, key, e.getValue());
            order.add(Map.entry(key, e.getValue()));
        }
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -dtypeFor(e.getKey()).writeRank()).thenComparing(Map.Entry::getKey));
        LinkedHashMap<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put(METADATA_KEY, new TreeMap<>(metadata));
        long offset = 0;
        for (var e : order) {
            Tensor t = e.getValue();
            long bytes = (long) t.numel() * dtypeFor(e.getKey()).size();
            LinkedHashMap<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", dtypeFor(e.getKey()).name());
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), info);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) prefix.put((byte) ' ');
        return new Prepared(prefix.array(), order, offset);
    }

    /** I64 for batch-norm's counter (PyTorch's dtype for it), F32 for everything else. */
    static DType dtypeFor(String key) {
        return key.equals("num_batches_tracked") || key.endsWith(".num_batches_tracked") ? DType.I64 : DType.F32;
    }

    private static void checkIntegral(String file, String key, Tensor t) {
        for (float v : t.toArray()) {
            if (v != Math.rint(v) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("safetensors save " + file + ": tensor '" + key + "' is written as I64 but holds " + v);
            }
        }
    }

    private static void encode(float[] v, int from, int to, DType dtype, ByteBuffer out) {
        if (dtype == DType.I64) {
            for (int i = from; i < to; i++) out.putLong((long) v[i]);
        } else {
            out.asFloatBuffer().put(v, from, to - from);
            out.position(out.position() + 4 * (to - from));
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
