package mma4j.nn.safetensors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer, enough for safetensors headers and checkpoint side files
 * (hand-written so that nn depends on nothing but the JDK).
 *
 * <p>Values map to Java as: object to {@code LinkedHashMap<String, Object>} (key order kept;
 * a repeated key is an error), array to {@code List<Object>}, string to String, integer to Long
 * (Double when it does not fit), other numbers to Double, true/false to Boolean, null to null.
 * Like Python's json module, non-finite doubles are written and read as NaN, Infinity and
 * -Infinity (a saved ReduceLROnPlateau starts with best = Infinity).
 */
public final class Json {
    private Json() {}

    /** A syntax error, with the character position where it was found. */
    public static final class ParseException extends IllegalArgumentException {
        private final int position;

        ParseException(String message, int position) {
            super(message + " at character " + position);
            this.position = position;
        }

        public int position() {
            return position;
        }
    }

    // ------------------------------------------------------------------ reading

    /** Parses one JSON value; only whitespace may follow it. */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) throw new ParseException("unexpected '" + text.charAt(p.pos) + "' after the JSON value", p.pos);
        return v;
    }

    private static final class Parser {
        private static final int MAX_DEPTH = 512;
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
                else break;
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
            if (pos >= s.length()) throw new ParseException("unexpected end of input", pos);
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                case 'N' -> literal("NaN", Double.NaN);
                case 'I' -> literal("Infinity", Double.POSITIVE_INFINITY);
                default -> {
                    if (c == '-' && s.startsWith("-Infinity", pos)) yield literal("-Infinity", Double.NEGATIVE_INFINITY);
                    if (c == '-' || (c >= '0' && c <= '9')) yield number();
                    throw new ParseException("unexpected '" + c + "'", pos);
                }
            };
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw new ParseException("expected " + word, pos);
            pos += word.length();
            return v;
        }

        private Map<String, Object> object(int depth) {
            LinkedHashMap<String, Object> m = new LinkedHashMap<>();
            pos++;
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') throw new ParseException("expected a string key", pos);
                int keyPos = pos;
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                Object v = value(depth + 1);
                if (m.containsKey(key)) throw new ParseException("duplicate key \"" + key + "\"", keyPos);
                m.put(key, v);
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == '}') return m;
                if (c != ',') throw new ParseException("expected ',' or '}'", pos - 1);
            }
        }

        private List<Object> array(int depth) {
            List<Object> a = new ArrayList<>();
            pos++;
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return a;
            }
            while (true) {
                skipWhitespace();
                a.add(value(depth + 1));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == ']') return a;
                if (c != ',') throw new ParseException("expected ',' or ']'", pos - 1);
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw new ParseException("unterminated string", pos);
                char c = s.charAt(pos++);
                if (c == '"') return sb.toString();
                if (c < 0x20) throw new ParseException("control character in string", pos - 1);
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) throw new ParseException("unterminated escape", pos);
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) throw new ParseException("short \\u escape", pos);
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw new ParseException("bad \\u escape", pos);
                        }
                        pos += 4;
                    }
                    default -> throw new ParseException("bad escape '\\" + e + "'", pos - 1);
                }
            }
        }

        private Object number() {
            int start = pos;
            if (peek() == '-') pos++;
            if (peek() == '0') {
                pos++;
            } else if (peek() >= '1' && peek() <= '9') {
                while (isDigit(peek())) pos++;
            } else {
                throw new ParseException("bad number", start);
            }
            boolean integer = true;
            if (peek() == '.') {
                integer = false;
                pos++;
                if (!isDigit(peek())) throw new ParseException("bad number: digits must follow '.'", pos);
                while (isDigit(peek())) pos++;
            }
            if (peek() == 'e' || peek() == 'E') {
                integer = false;
                pos++;
                if (peek() == '+' || peek() == '-') pos++;
                if (!isDigit(peek())) throw new ParseException("bad number: digits must follow the exponent", pos);
                while (isDigit(peek())) pos++;
            }
            String t = s.substring(start, pos);
            if (integer) {
                try {
                    return Long.parseLong(t);
                } catch (NumberFormatException tooBig) {
                    return Double.parseDouble(t);
                }
            }
            return Double.parseDouble(t);
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) throw new ParseException("expected '" + c + "'", pos);
            pos++;
        }
    }

    // ------------------------------------------------------------------ writing

    /** Compact JSON (no spaces), keys in map order, as serde_json writes safetensors headers. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String str -> quote(sb, str);
            case Boolean b -> sb.append(b);
            case Long l -> sb.append(l);
            case Integer i -> sb.append(i);
            case Double d -> number(sb, d);
            case Float f -> number(sb, f.doubleValue());
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException("Json.write: object keys must be strings, got " + e.getKey());
                    if (!first) sb.append(',');
                    first = false;
                    quote(sb, k);
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case Iterable<?> it -> {
                sb.append('[');
                boolean first = true;
                for (Object o : it) {
                    if (!first) sb.append(',');
                    first = false;
                    write(sb, o);
                }
                sb.append(']');
            }
            case long[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) sb.append(i > 0 ? "," : "").append(a[i]);
                sb.append(']');
            }
            case int[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) sb.append(i > 0 ? "," : "").append(a[i]);
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("Json.write: cannot write a " + v.getClass().getName());
        }
    }

    private static void number(StringBuilder sb, double d) {
        if (Double.isNaN(d)) sb.append("NaN");
        else if (Double.isInfinite(d)) sb.append(d > 0 ? "Infinity" : "-Infinity");
        else if (d == Math.rint(d) && Math.abs(d) < 1e15 && !(d == 0 && 1 / d < 0)) sb.append((long) d).append(".0");
        else sb.append(d);   // Double.toString is the shortest string that reads back to the same double
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
