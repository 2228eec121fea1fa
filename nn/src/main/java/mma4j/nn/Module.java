package mma4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import mma4j.autograd.Variable;
import mma4j.tensor.Device;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * The base of every layer and model, as torch.nn.Module.
 *
 * <p>A module owns three ordered name spaces: its {@link Parameter}s (trained), its buffers
 * (state that is saved but not trained, e.g. batch-norm's running statistics) and its child
 * modules. Java has no {@code __setattr__}, so a subclass registers each one explicitly in its
 * constructor, and the registration order is the order of {@link #namedParameters()} and
 * {@link #stateDict()}:
 *
 * <pre>{@code
 * final class Mlp extends Module {
 *     private final Linear fc1 = registerModule("fc1", new Linear(784, 100));
 *     private final Linear fc2 = registerModule("fc2", new Linear(100, 10));
 *     @Override public Variable forward(Variable x) { return fc2.forward(fc1.forward(x).relu()); }
 * }
 * // namedParameters(): fc1.weight, fc1.bias, fc2.weight, fc2.bias
 * }</pre>
 *
 * <p>forward is typed {@code Variable -> Variable}: one input, one output, which is what every
 * layer here and every CIFAR model needs, and what lets {@link Sequential} chain modules. A
 * module that does not fit (a loss, which also takes targets; {@link ModuleList}, which is only
 * a container) throws from {@link #forward(Variable)} and offers its own typed method.
 */
public abstract class Module {
    private final LinkedHashMap<String, Parameter> parameters = new LinkedHashMap<>();
    private final LinkedHashMap<String, Tensor> buffers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The computation of this module. */
    public abstract Variable forward(Variable input);

    // ------------------------------------------------------------------ registration

    /** Registers a parameter under {@code name} (no dots) and returns it, for a final field. */
    protected final <P extends Parameter> P registerParameter(String name, P parameter) {
        checkNewName("registerParameter", name, parameter);
        parameters.put(name, parameter);
        return parameter;
    }

    /** Registers a buffer: a tensor saved in the state dict but not trained. */
    protected final Tensor registerBuffer(String name, Tensor buffer) {
        checkNewName("registerBuffer", name, buffer);
        buffers.put(name, buffer);
        return buffer;
    }

    /** Registers a child module; its entries appear under {@code name.}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkNewName("registerModule", name, module);
        if (module == this) throw new IllegalArgumentException("registerModule: a module cannot be its own child ('" + name + "')");
        children.put(name, module);
        return module;
    }

    private void checkNewName(String op, String name, Object value) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(op + ": name must be non-empty and contain no '.', got '" + name + "' in " + getClass().getSimpleName());
        }
        if (value == null) throw new IllegalArgumentException(op + ": '" + name + "' is null; leave an absent entry unregistered");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(op + ": '" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** This module's own buffer (not a child's), read afresh because {@link #to} may replace it. */
    protected final Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null) throw new IllegalArgumentException("buffer: " + getClass().getSimpleName() + " has no buffer '" + name + "'; it has " + buffers.keySet());
        return t;
    }

    // ------------------------------------------------------------------ traversal

    /** Direct children in registration order. */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    public final List<Module> children() {
        return List.copyOf(children.values());
    }

    /** This module and all below it, pre-order, with dotted names ("" for this one). */
    public final Map<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collectModules("", out, seen);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(this)) return;
        out.put(prefix, this);
        for (var e : children.entrySet()) e.getValue().collectModules(join(prefix, e.getKey()), out, seen);
    }

    public final List<Module> modules() {
        return List.copyOf(namedModules().values());
    }

    /**
     * All parameters with dotted names, pre-order (own first, then each child's), each shared
     * parameter once under its first name, as PyTorch's named_parameters().
     */
    public final Map<String, Parameter> namedParameters() {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (var m : namedModules().entrySet()) {
            for (var p : m.getValue().parameters.entrySet()) {
                if (seen.add(p.getValue())) out.put(join(m.getKey(), p.getKey()), p.getValue());
            }
        }
        return out;
    }

    /** What an optimizer takes. */
    public final List<Parameter> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /** Number of trainable scalars (each shared parameter counted once). */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.data().numel();
        return n;
    }

    /** All buffers with dotted names, pre-order. */
    public final Map<String, Tensor> namedBuffers() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (var m : namedModules().entrySet()) {
            for (var b : m.getValue().buffers.entrySet()) out.put(join(m.getKey(), b.getKey()), b.getValue());
        }
        return out;
    }

    public final List<Tensor> buffers() {
        return List.copyOf(namedBuffers().values());
    }

    /** Calls fn on every child (recursively) and then on this module, as PyTorch's apply (e.g. custom init). */
    public final Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) c.apply(fn);
        fn.accept(this);
        return this;
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    // ------------------------------------------------------------------ mode

    /** Sets training mode on this module and every descendant (dropout and batch-norm read it). */
    public Module train(boolean mode) {
        training = mode;
        for (Module c : children.values()) c.train(mode);
        return this;
    }

    public final Module train() {
        return train(true);
    }

    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Moves every parameter (with its gradient) and buffer to a device, in place. */
    public Module to(Device device) {
        for (Module m : modules()) {
            for (Parameter p : m.parameters.values()) {
                Tensor g = p.grad();
                p.setGrad(null);
                p.setData(p.data().to(device));
                if (g != null) p.setGrad(g.to(device));
            }
            for (var e : m.buffers.entrySet()) e.setValue(e.getValue().to(device));
        }
        return this;
    }

    /** Sets every parameter's gradient to null (PyTorch's zero_grad(set_to_none=True)). */
    public void zeroGrad() {
        for (Parameter p : parameters()) p.zeroGrad();
    }

    // ------------------------------------------------------------------ state dict

    /**
     * Parameters and buffers by dotted name, in PyTorch's order: for each module (pre-order),
     * its parameters, then its buffers, then its children. The values are the live tensors, not
     * copies (as in PyTorch): copy them to keep a snapshot while training goes on.
     */
    public final LinkedHashMap<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        for (var p : parameters.entrySet()) out.put(join(prefix, p.getKey()), p.getValue().data());
        for (var b : buffers.entrySet()) out.put(join(prefix, b.getKey()), b.getValue());
        for (var c : children.entrySet()) c.getValue().collectState(join(prefix, c.getKey()), out);
    }

    /** Keys that a non-strict load skipped, as PyTorch's _IncompatibleKeys. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
        public LoadResult {
            missingKeys = List.copyOf(missingKeys);
            unexpectedKeys = List.copyOf(unexpectedKeys);
        }
    }

    /**
     * Copies values from {@code state} into this module's parameters and buffers (in place, onto
     * their devices). Everything is checked before anything is copied: on failure nothing is
     * loaded and a {@link StateDictException} lists every missing, unexpected and wrongly shaped
     * key. A shape mismatch is an error even when not strict (as in PyTorch); missing and
     * unexpected keys are errors only when strict, else returned. A missing
     * {@code num_batches_tracked} is tolerated (the current value stays), as PyTorch does for
     * state dicts saved before batch-norm had that buffer.
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        LinkedHashMap<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (var e : own.entrySet()) {
            String key = e.getKey();
            Tensor src = state.get(key);
            if (src == null) {
                if (!isNumBatchesTracked(key)) missing.add(key);
            } else if (!Shapes.equal(src.shape(), e.getValue().shape())) {
                mismatched.add(key + ": checkpoint " + Shapes.str(src.shape()) + ", model " + Shapes.str(e.getValue().shape()));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : new TreeSet<>(state.keySet())) if (!own.containsKey(key)) unexpected.add(key);
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new StateDictException(getClass().getSimpleName(), missing, unexpected, mismatched);
        }
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null) e.getValue().copyFrom(src.to(e.getValue().device()));
        }
        return new LoadResult(missing, unexpected);
    }

    /** Strict load. */
    public final LoadResult loadStateDict(Map<String, Tensor> state) {
        return loadStateDict(state, true);
    }

    private static boolean isNumBatchesTracked(String key) {
        return key.equals("num_batches_tracked") || key.endsWith(".num_batches_tracked");
    }

    // ------------------------------------------------------------------ printing

    /** The part inside the parentheses of {@link #toString()}, e.g. "in_features=2, out_features=3". */
    protected String extraRepr() {
        return "";
    }

    /** A tree like PyTorch's repr: {@code Sequential(\n  (0): Linear(in_features=2, ...)\n)}. */
    @Override
    public String toString() {
        String name = getClass().getSimpleName();
        if (children.isEmpty()) return name + "(" + extraRepr() + ")";
        StringBuilder sb = new StringBuilder(name).append('(');
        String extra = extraRepr();
        if (!extra.isEmpty()) sb.append("\n  ").append(extra);
        for (var c : children.entrySet()) {
            sb.append("\n  (").append(c.getKey()).append("): ").append(c.getValue().toString().replace("\n", "\n  "));
        }
        return sb.append("\n)").toString();
    }
}
