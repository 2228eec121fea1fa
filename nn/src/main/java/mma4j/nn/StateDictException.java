package mma4j.nn;

import java.util.List;

/**
 * A state dict that does not fit a module. Lists every problem at once, so that one failed
 * load shows everything that differs; the module is left exactly as it was.
 */
public final class StateDictException extends IllegalArgumentException {
    private final List<String> missingKeys;
    private final List<String> unexpectedKeys;
    private final List<String> shapeMismatches;

    public StateDictException(String module, List<String> missingKeys, List<String> unexpectedKeys, List<String> shapeMismatches) {
        super(message(module, missingKeys, unexpectedKeys, shapeMismatches));
        this.missingKeys = List.copyOf(missingKeys);
        this.unexpectedKeys = List.copyOf(unexpectedKeys);
        this.shapeMismatches = List.copyOf(shapeMismatches);
    }

    private static String message(String module, List<String> missing, List<String> unexpected, List<String> mismatched) {
        StringBuilder sb = new StringBuilder("Error(s) in loading state dict for ").append(module).append(':');
        if (!missing.isEmpty()) sb.append("\n  Missing key(s): ").append(String.join(", ", missing));
        if (!unexpected.isEmpty()) sb.append("\n  Unexpected key(s): ").append(String.join(", ", unexpected));
        if (!mismatched.isEmpty()) sb.append("\n  Size mismatch: ").append(String.join("; ", mismatched));
        return sb.append("\n  Nothing was loaded.").toString();
    }

    public List<String> missingKeys() {
        return missingKeys;
    }

    public List<String> unexpectedKeys() {
        return unexpectedKeys;
    }

    /** "key: checkpoint [a, b], model [c, d]" per wrongly shaped key. */
    public List<String> shapeMismatches() {
        return shapeMismatches;
    }
}
