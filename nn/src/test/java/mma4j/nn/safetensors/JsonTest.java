package mma4j.nn.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5e1, true, false, null], \"s\": \"x\\\"\\n\\u00e9\", \"big\": 12345678901234567890, \"o\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "s", "big", "o"), List.copyOf(m.keySet()));
        assertEquals(java.util.Arrays.asList(1L, -25.0, true, false, null), m.get("a"));
        assertEquals("x\"\n\u00e9", m.get("s"));
        assertEquals(1.2345678901234567e19, m.get("big"));
        assertEquals(Map.of(), m.get("o"));
    }

    @Test
    void writesCompactlyAndReadsBack() {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("lr", 0.1);
        m.put("step", 3.0);
        m.put("neg_zero", -0.0);
        m.put("best", Double.POSITIVE_INFINITY);
        m.put("n", 7L);
        m.put("shape", new int[] {2, 3});
        m.put("q", "a\"b\\c\u0001");
        String s = Json.write(m);
        assertEquals("{\"lr\":0.1,\"step\":3.0,\"neg_zero\":-0.0,\"best\":Infinity,\"n\":7,\"shape\":[2,3],\"q\":\"a\\\"b\\\\c\\u0001\"}", s);
        Map<?, ?> back = (Map<?, ?>) Json.parse(s);
        assertEquals(0.1, back.get("lr"));
        assertEquals(3.0, back.get("step"));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) back.get("neg_zero")));
        assertEquals(Double.POSITIVE_INFINITY, back.get("best"));
        assertEquals(List.of(2L, 3L), back.get("shape"));
        assertEquals("a\"b\\c\u0001", back.get("q"));
        for (double d : new double[] {1e-300, 123456.789, -7.5e20, Math.PI}) assertEquals(d, Json.parse(Json.write(d)));
    }

    @Test
    void rejectsBadInputWithAPosition() {
        for (String bad : new String[] {"", "{", "{\"a\" 1}", "[1,]", "01", "1.", "\"\\x\"", "{\"a\":1,\"a\":2}", "nul", "[1] 2", "\"a\nb\""}) {
            assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
        }
        var e = assertThrows(Json.ParseException.class, () -> Json.parse("[1, ?]"));
        assertEquals(4, e.position());
    }
}
