package mma4j.tensor;

/** Reductions a backend implements natively; mean and var are built from SUM. */
public enum ReduceOp {
    SUM, MAX, MIN
}
