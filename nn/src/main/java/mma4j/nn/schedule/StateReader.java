package mma4j.nn.schedule;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads named numbers out of a saved state, collecting every missing and unexpected key. */
final class StateReader {
    private final String owner;
    private final Map<String, Double> state;
    private final List<String> problems;
    private final Set<String> read = new HashSet<>();

    StateReader(String owner, Map<String, Double> state, List<String> problems) {
        if (state == null) throw new IllegalArgumentException(owner + ".loadState: state must not be null");
        this.owner = owner;
        this.state = state;
        this.problems = problems;
    }

    double get(String key) {
        read.add(key);
        Double v = state.get(key);
        if (v == null) {
            problems.add("missing key '" + key + "'");
            return Double.NaN;
        }
        return v;
    }

    /** Keys of {@code all} that were not read are unexpected (unless they belong to a nested part, given by prefix). */
    void finish(Set<String> all, String... nestedPrefixes) {
        for (String k : new TreeSet<>(all)) {
            if (read.contains(k)) continue;
            boolean nested = false;
            for (String p : nestedPrefixes) nested |= k.startsWith(p);
            if (!nested) problems.add("unexpected key '" + k + "'");
        }
    }

    static void throwIfAny(String owner, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(owner + ".loadState: the saved state does not fit this schedule; nothing was loaded:\n  "
                    + String.join("\n  ", problems));
        }
    }

    String owner() {
        return owner;
    }
}
