package mma4j.nn.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import mma4j.autograd.GradMode;
import mma4j.autograd.Variable;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * The base of the optimizers, as torch.optim.Optimizer: parameter groups, {@link #step()},
 * {@link #zeroGrad()}, and {@link #state()} / {@link #loadState} for checkpoints. A subclass
 * writes one method, {@link #update}, the rule for one parameter.
 *
 * <p>Updates write into each parameter's tensor in place (the tensor a Module holds never
 * changes) and only use deterministic elementwise ops, so the same gradients give bitwise the
 * same parameters, and a run resumed from {@link #state()} continues bitwise as if it had not
 * stopped.
 *
 * @param <O> the optimizer's hyper-parameters (one per group)
 */
public abstract class Optimizer<O extends Optimizer.Options> {
    /** Hyper-parameters of a group; the learning rate is the one every optimizer has. */
    public interface Options {
        double lr();
    }

    private final List<ParamGroup<O>> groups = new ArrayList<>();
    private final Map<Variable, ParamState> state = new IdentityHashMap<>();

    @SafeVarargs
    @SuppressWarnings("this-escape")   // validate() is called on each group before the subclass is built; it must not read fields
    protected Optimizer(ParamGroup<O>... groups) {
        if (groups.length == 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer got an empty parameter list");
        for (ParamGroup<O> g : groups) addParamGroup(g);
    }

    /** Adds a group (e.g. layers unfrozen later); its parameters must not be in another group. */
    public final void addParamGroup(ParamGroup<O> group) {
        validate(group.options());
        Set<Variable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup<O> g : groups) seen.addAll(g.params());
        for (Variable p : group.params()) {
            if (p == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": a parameter group contains null");
            if (!p.isLeaf()) throw new IllegalArgumentException(getClass().getSimpleName() + ": can't optimize a non-leaf variable " + p);
            if (!seen.add(p)) throw new IllegalArgumentException(getClass().getSimpleName() + ": some parameters appear in more than one parameter group: " + p);
        }
        groups.add(group);
    }

    /** Throws IllegalArgumentException for hyper-parameters out of range. */
    protected abstract void validate(O options);

    /**
     * Updates one parameter in place from its gradient.
     *
     * @param lr the group's current learning rate
     * @param st this parameter's state, empty before the first step
     */
    protected abstract void update(Variable param, Tensor grad, O options, double lr, ParamState st);

    /** The names of the per-parameter tensors and scalars this optimizer keeps (checked by loadState). */
    protected abstract Set<String> stateNames();

    /** Which of {@link #stateNames()} are scalars (e.g. Adam's step); the rest are tensors. */
    protected Set<String> scalarStateNames() {
        return Set.of();
    }

    public final List<ParamGroup<O>> paramGroups() {
        return Collections.unmodifiableList(groups);
    }

    /** One update of every parameter that has a gradient (those without are skipped, as in PyTorch). */
    @SuppressWarnings("try")   // the scope only needs closing
    public final void step() {
        try (var scope = GradMode.noGrad()) {
            for (ParamGroup<O> g : groups) {
                for (Variable p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    update(p, grad, g.options(), g.lr(), state.computeIfAbsent(p, k -> new ParamState()));
                }
            }
        }
    }

    /** Sets every gradient to null (PyTorch's zero_grad(set_to_none=True), the default). */
    public final void zeroGrad() {
        for (ParamGroup<O> g : groups) for (Variable p : g.params()) p.zeroGrad();
    }

    /** The state of one parameter (empty before its first update). */
    public final ParamState stateOf(Variable param) {
        ParamState s = state.get(param);
        return s == null ? new ParamState() : s;
    }

    // ------------------------------------------------------------------ checkpoints

    /** A copy of everything step() depends on besides the parameters (see {@link OptimizerState} for the keys). */
    public final OptimizerState state() {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        LinkedHashMap<String, Double> scalars = new LinkedHashMap<>();
        int index = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup<O> g = groups.get(gi);
            for (Variable p : g.params()) {
                ParamState s = state.get(p);
                if (s != null) {
                    for (var e : s.tensors().entrySet()) tensors.put("state." + index + "." + e.getKey(), e.getValue().copy());
                    for (var e : s.scalars().entrySet()) scalars.put("state." + index + "." + e.getKey(), e.getValue());
                }
                index++;
            }
            scalars.put("param_groups." + gi + ".lr", g.lr());
            if (!Double.isNaN(g.initialLr())) scalars.put("param_groups." + gi + ".initial_lr", g.initialLr());
            scalars.put("param_groups." + gi + ".num_params", (double) g.params().size());
        }
        return new OptimizerState(tensors, scalars);
    }

    /**
     * Restores a {@link #state()} into an optimizer built over the same parameters (same groups,
     * same order, same shapes). Everything is checked first; on any problem nothing changes and
     * the exception lists every problem. Hyper-parameters other than the learning rates come from
     * the code that builds the optimizer, not from the checkpoint.
     */
    public final void loadState(OptimizerState saved) {
        List<Variable> flat = new ArrayList<>();
        for (ParamGroup<O> g : groups) flat.addAll(g.params());
        List<String> problems = new ArrayList<>();
        TreeMap<Integer, ParamState> byIndex = new TreeMap<>();
        double[] lrs = new double[groups.size()];
        double[] initialLrs = new double[groups.size()];
        java.util.Arrays.fill(lrs, Double.NaN);
        java.util.Arrays.fill(initialLrs, Double.NaN);
        boolean[] counted = new boolean[groups.size()];

        for (var e : saved.scalars().entrySet()) {
            String key = e.getKey();
            double v = e.getValue();
            String[] parts = key.split("\\.", 3);
            if (parts.length == 3 && parts[0].equals("param_groups")) {
                int gi = parseIndex(parts[1], groups.size());
                if (gi < 0) {
                    problems.add(key + ": this optimizer has " + groups.size() + " parameter group(s)");
                    continue;
                }
                switch (parts[2]) {
                    case "lr" -> lrs[gi] = v;
                    case "initial_lr" -> initialLrs[gi] = v;
                    case "num_params" -> {
                        counted[gi] = true;
                        if (v != groups.get(gi).params().size()) {
                            problems.add(key + ": checkpoint has " + (long) v + " parameters, this group has " + groups.get(gi).params().size());
                        }
                    }
                    default -> problems.add(key + ": unknown parameter-group entry");
                }
            } else if (parts.length == 3 && parts[0].equals("state")) {
                int pi = stateIndex(key, parts, flat.size(), problems);
                if (pi < 0) continue;
                if (!scalarStateNames().contains(parts[2])) problems.add(key + ": '" + parts[2] + "' is a tensor, not a scalar");
                else byIndex.computeIfAbsent(pi, k -> new ParamState()).put(parts[2], v);
            } else {
                problems.add(key + ": unexpected key");
            }
        }
        for (var e : saved.tensors().entrySet()) {
            String key = e.getKey();
            String[] parts = key.split("\\.", 3);
            if (parts.length != 3 || !parts[0].equals("state")) {
                problems.add(key + ": unexpected tensor key");
                continue;
            }
            int pi = stateIndex(key, parts, flat.size(), problems);
            if (pi < 0) continue;
            if (scalarStateNames().contains(parts[2])) {
                problems.add(key + ": '" + parts[2] + "' is a scalar, not a tensor");
                continue;
            }
            Tensor t = e.getValue();
            Tensor param = flat.get(pi).data();
            if (!Shapes.equal(t.shape(), param.shape())) {
                problems.add(key + ": checkpoint shape " + Shapes.str(t.shape()) + ", parameter shape " + Shapes.str(param.shape()));
                continue;
            }
            byIndex.computeIfAbsent(pi, k -> new ParamState()).put(parts[2], t.copy().to(param.device()));
        }
        for (int gi = 0; gi < groups.size(); gi++) {
            if (!counted[gi]) problems.add("param_groups." + gi + ".num_params: missing");
            if (Double.isNaN(lrs[gi])) problems.add("param_groups." + gi + ".lr: missing");
            else if (!(lrs[gi] >= 0)) problems.add("param_groups." + gi + ".lr: must be >= 0, got " + lrs[gi]);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".loadState: the checkpoint does not fit this optimizer; nothing was loaded:\n  "
                    + String.join("\n  ", problems));
        }
        state.clear();
        for (var e : byIndex.entrySet()) state.put(flat.get(e.getKey()), e.getValue());
        for (int gi = 0; gi < groups.size(); gi++) {
            groups.get(gi).setLr(lrs[gi]);
            groups.get(gi).setInitialLr(initialLrs[gi]);
        }
    }

    private int stateIndex(String key, String[] parts, int numParams, List<String> problems) {
        int pi = parseIndex(parts[1], numParams);
        if (pi < 0) {
            problems.add(key + ": this optimizer has " + numParams + " parameter(s)");
            return -1;
        }
        if (!stateNames().contains(parts[2])) {
            problems.add(key + ": " + getClass().getSimpleName() + " keeps no '" + parts[2] + "' (it keeps " + stateNames() + ")");
            return -1;
        }
        return pi;
    }

    private static int parseIndex(String s, int bound) {
        try {
            int i = Integer.parseInt(s);
            return i >= 0 && i < bound ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
