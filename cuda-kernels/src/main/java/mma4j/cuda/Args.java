package mma4j.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one kernel launch, in the kernel's parameter order, each tagged with its
 * kind so the launch can be checked against the kernel's declared signature ({@link Kernel}):
 * 'p' a device address, 'i' an int, 'l' a long long, 'f' a float, 'L' a Layout struct.
 */
final class Args {
    private final StringBuilder kinds = new StringBuilder();
    private final List<Object> values = new ArrayList<>();

    /** A device address (a {@code const float*} or {@code float*} parameter); 0 is nullptr. */
    Args ptr(long address) {
        return add('p', address);
    }

    Args i(int v) {
        return add('i', v);
    }

    /** A {@code long long} parameter. */
    Args l(long v) {
        return add('l', v);
    }

    Args f(float v) {
        return add('f', v);
    }

    /** A {@code Layout} struct passed by value. */
    Args layout(Layout layout) {
        return add('L', layout.packed());
    }

    private Args add(char kind, Object value) {
        kinds.append(kind);
        values.add(value);
        return this;
    }

    String kinds() {
        return kinds.toString();
    }

    /** Long for 'p' and 'l', Integer for 'i', Float for 'f', int[] for 'L'. */
    List<Object> values() {
        return values;
    }
}
