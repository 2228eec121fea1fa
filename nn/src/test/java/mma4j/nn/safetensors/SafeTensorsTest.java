package mma4j.nn.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import mma4j.nn.BatchNorm1d;
import mma4j.nn.Linear;
import mma4j.nn.Sequential;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers

    /** A file image: 8-byte little-endian header length, the header bytes as given, then the data. */
    static byte[] image(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).put(data).array();
    }

    /** Pads a header with spaces to a multiple of 8, as the reference writer does. */
    static String padded(String header) {
        int n = header.getBytes(StandardCharsets.UTF_8).length;
        return header + " ".repeat((8 - n % 8) % 8);
    }

    static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static Sequential model(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(3, 4, true, g), new BatchNorm1d(4), new Linear(4, 2, false, g));
    }

    static void assertBitwiseEqual(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(actual.keySet()));
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).shape(), actual.get(k).shape(), k);
            float[] a = expected.get(k).toArray(), b = actual.get(k).toArray();
            for (int i = 0; i < a.length; i++) assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), k + "[" + i + "]");
        }
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void stateDictRoundTripIsExact() throws IOException {
        Sequential m = model(1);
        m.stateDict().get("1.num_batches_tracked").fillInPlace(12345);
        m.stateDict().get("1.running_mean").copyFrom(Tensor.vector(Float.NaN, -0.0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE));
        Path f = dir.resolve("model.safetensors");
        SafeTensors.save(f, m.stateDict(), Map.of("format", "pt"));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertBitwiseEqual(m.stateDict(), c.tensors());
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertEquals(DType.I64, c.dtypes().get("1.num_batches_tracked"));
        assertEquals(DType.F32, c.dtypes().get("0.weight"));
        assertArrayEquals(new int[0], c.tensors().get("1.num_batches_tracked").shape());
        assertEquals(List.of("0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight", "2.weight"),
                List.copyOf(c.tensors().keySet()), "sorted keys");

        Sequential other = model(2);
        other.loadStateDict(SafeTensors.load(f), true);
        assertBitwiseEqual(m.stateDict(), other.stateDict());
    }

    @Test
    void writerLayoutMatchesTheReferenceWriter() {
        LinkedHashMap<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("a", Tensor.vector(1f, 2f));
        sd.put("bn.num_batches_tracked", Tensor.scalar(3f));
        byte[] bytes = SafeTensors.serialize(sd, Map.of("format", "pt"));
        // I64 sorts before F32 (descending dtype), offsets follow that order, the header is padded with spaces to 8.
        String header = padded("{\"__metadata__\":{\"format\":\"pt\"},\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}");
        ByteBuffer data = le(16).putLong(3).putFloat(1f).putFloat(2f);
        assertArrayEquals(image(header, data.array()), bytes);
        assertEquals(0, (bytes.length - 8 - 16) % 8);
    }

    @Test
    void nonIntegralCounterIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.serialize(Map.of("bn.num_batches_tracked", Tensor.scalar(1.5f)), Map.of()));
        assertTrue(e.getMessage().contains("'bn.num_batches_tracked' is written as I64 but holds 1.5"), e.getMessage());
    }

    // ------------------------------------------------------------------ PyTorch's conventions

    @Test
    void readsAFileInPyTorchsConventions() throws IOException {
        // What safetensors.torch.save_file writes for these dtypes: tensors sorted by descending dtype
        // (I64, F64, F32, BF16, F16), then name; metadata {"format": "pt"}; header padded to 8 bytes.
        String header = padded("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[8,32]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[32,48]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[48,54]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[54,62]}}");
        ByteBuffer d = le(62);
        d.putLong(7);
        d.putDouble(1.5).putDouble(-2.25).putDouble(0.1);
        d.putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        d.putShort((short) 0x3F80).putShort((short) 0xC040).putShort((short) 0x3DCD);                      // bf16: 1, -3, 0.10009765625
        d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF).putShort((short) 0x0001); // f16: 1, -2, 65504, 2^-24
        SafeTensors.Contents c = SafeTensors.read(write("torch.safetensors", image(header, d.array())));
        assertEquals(7f, c.tensors().get("bn.num_batches_tracked").item());
        assertArrayEquals(new int[0], c.tensors().get("bn.num_batches_tracked").shape());
        assertArrayEquals(new float[] {1.5f, -2.25f, 0.1f}, c.tensors().get("d").toArray());
        assertArrayEquals(new int[] {2, 2}, c.tensors().get("f").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.tensors().get("f").toArray());
        assertArrayEquals(new float[] {1f, -3f, 0.10009765625f}, c.tensors().get("b").toArray());
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, c.tensors().get("h").toArray());
        assertEquals(Map.of("bn.num_batches_tracked", DType.I64, "d", DType.F64, "f", DType.F32, "b", DType.BF16, "h", DType.F16), c.dtypes());
        assertEquals("pt", c.metadata().get("format"));
    }

    @Test
    void aModelLoadsFromAPyTorchStyleFileWithAnI64Counter() throws IOException {
        Sequential src = model(3);
        // Re-encode src's state dict by hand with the counter as I64 and the weights as F64 (tensors in name order, unpadded).
        StringBuilder h = new StringBuilder("{");
        ByteBuffer data = le(1024);
        for (var e : new java.util.TreeMap<>(src.stateDict()).entrySet()) {
            boolean counter = e.getKey().endsWith("num_batches_tracked");
            int begin = data.position();
            for (float v : e.getValue().toArray()) {
                if (counter) data.putLong((long) v);
                else data.putDouble(v);
            }
            if (h.length() > 1) h.append(',');
            h.append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(counter ? "I64" : "F64").append("\",\"shape\":")
                    .append(Json.write(e.getValue().shape())).append(",\"data_offsets\":[").append(begin).append(',').append(data.position()).append("]}");
        }
        byte[] bytes = java.util.Arrays.copyOf(data.array(), data.position());
        Path f = write("from_torch.safetensors", image(h.append('}').toString(), bytes));
        Sequential dst = model(4);
        dst.loadStateDict(SafeTensors.load(f), true);
        assertBitwiseEqual(src.stateDict(), dst.stateDict());
    }

    // ------------------------------------------------------------------ malformed files

    void assertRejected(String name, byte[] bytes, String key, String fragment) throws IOException {
        Path f = write(name, bytes);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(f), name);
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertEquals(key, e.key(), e.getMessage());
        if (key != null) assertTrue(e.getMessage().contains("tensor '" + key + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        assertThrows(SafeTensorsException.class, () -> SafeTensors.load(f));
    }

    static final String ONE = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void rejectsTruncatedHeaderLength() throws IOException {
        assertRejected("short.safetensors", new byte[] {1, 0, 0}, null, "too short for the 8-byte header length");
    }

    @Test
    void rejectsHeaderLengthPastTheEnd() throws IOException {
        byte[] img = image(ONE, new byte[8]);
        ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putLong(0, img.length);   // claims more than the file has
        assertRejected("long.safetensors", img, null, "runs past the end of the file");
        ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);          // 2^64 - 1
        assertRejected("huge.safetensors", img, null, "header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void rejectsHeaderThatIsNotJson() throws IOException {
        assertRejected("json.safetensors", image("{\"a\": {\"dtype\": F32}}", new byte[0]), null, "header is not valid JSON");
        assertRejected("array.safetensors", image("[1, 2]", new byte[0]), null, "header is not a JSON object");
        byte[] bad = image("{\"\u00e9\":1}", new byte[0]);
        bad[10] = (byte) 0xFF;   // breaks the two-byte UTF-8 sequence
        assertRejected("utf8.safetensors", bad, null, "header is not valid UTF-8");
        assertRejected("dup.safetensors", image("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"a\":{}}", new byte[0]), null,
                "duplicate key \"a\"");
    }

    @Test
    void rejectsOffsetsOutsideTheFile() throws IOException {
        assertRejected("outside.safetensors", image("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[8]), "a",
                "data_offsets [8, 16] lie outside the data section (8 bytes)");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertRejected("overlap.safetensors", image(h, new byte[12]), "b", "overlap tensor 'a' at [0, 8]");
    }

    @Test
    void rejectsHolesAndTrailingBytes() throws IOException {
        String hole = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertRejected("hole.safetensors", image(hole, new byte[12]), "b", "leave bytes 4..8 unused");
        assertRejected("trailing.safetensors", image(ONE, new byte[12]), null, "end at byte 8 of the data section but it has 12 bytes");
    }

    @Test
    void rejectsUnknownDtype() throws IOException {
        assertRejected("dtype.safetensors", image("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "a",
                "unsupported dtype 'Q7'");
        assertRejected("i32.safetensors", image("{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "a",
                "unsupported dtype 'I32'");
    }

    @Test
    void rejectsShapeThatDoesNotMatchTheOffsets() throws IOException {
        assertRejected("size.safetensors", image("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "a",
                "shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8");
        assertRejected("f16size.safetensors", image("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,4]}}", new byte[4]), "a",
                "needs 8 bytes");
    }

    @Test
    void rejectsMalformedEntries() throws IOException {
        assertRejected("negshape.safetensors", image("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]), "a",
                "must hold non-negative integers");
        assertRejected("fracshape.safetensors", image("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", new byte[8]), "a",
                "must hold non-negative integers");
        assertRejected("backwards.safetensors", image("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", new byte[8]), "a",
                "must be [begin, end] with 0 <= begin <= end");
        assertRejected("noshape.safetensors", image("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]), "a",
                "shape is missing");
        assertRejected("extra.safetensors", image("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", new byte[8]), "a",
                "unknown field 'x'");
        assertRejected("meta.safetensors", image("{\"__metadata__\":{\"epoch\":3}," + ONE.substring(1), new byte[8]), "__metadata__",
                "metadata value of 'epoch' is not a string: 3");
    }

    // ------------------------------------------------------------------ atomic writes

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.save(f, model(1).stateDict());
        SafeTensors.save(f, model(2).stateDict());
        assertBitwiseEqual(model(2).stateDict(), SafeTensors.load(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void failedSaveKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.save(f, model(1).stateDict());
        byte[] before = Files.readAllBytes(f);
        LinkedHashMap<String, Tensor> bad = new LinkedHashMap<>(model(2).stateDict());
        bad.put("1.num_batches_tracked", Tensor.scalar(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(f, bad));
        assertArrayEquals(before, Files.readAllBytes(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }
}
