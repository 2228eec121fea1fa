package mma4j.nn;

import java.util.Iterator;
import mma4j.autograd.Variable;

/**
 * A list of modules registered as children 0, 1, 2, ... so that their parameters are found;
 * it has no forward of its own (iterate it in the owner's forward), as PyTorch's ModuleList.
 */
public class ModuleList extends Module implements Iterable<Module> {
    private int size;

    @SuppressWarnings("this-escape")
    public ModuleList(Module... modules) {
        for (Module m : modules) add(m);
    }

    public final ModuleList add(Module module) {
        registerModule(String.valueOf(size++), module);
        return this;
    }

    public final Module get(int index) {
        if (index < 0 || index >= size) throw new IllegalArgumentException("ModuleList.get: index " + index + " out of range [0, " + size + ")");
        return children().get(index);
    }

    public final int size() {
        return size;
    }

    @Override
    public Iterator<Module> iterator() {
        return children().iterator();
    }

    /** A ModuleList is a container only; call its elements' forward. */
    @Override
    public Variable forward(Variable input) {
        throw new UnsupportedOperationException("ModuleList has no forward: iterate it and call each module's forward");
    }
}
