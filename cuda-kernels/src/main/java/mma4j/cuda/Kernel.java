package mma4j.cuda;

/**
 * Every kernel the backend launches: the PTX module (src/main/cuda/&lt;module&gt;.cu, shipped as
 * resource mma4j/cuda/ptx/&lt;module&gt;.ptx) and the extern "C" entry name. PtxSourcesTest checks
 * that each one exists in the committed PTX.
 */
enum Kernel {
    FILL_STRIDED("elementwise", "fill_strided"),
    COPY_STRIDED("elementwise", "copy_strided"),
    UNARY_STRIDED("elementwise", "unary_strided"),
    BINARY_STRIDED("elementwise", "binary_strided"),
    WHERE_STRIDED("elementwise", "where_strided"),
    SGD_STEP("elementwise", "sgd_step"),
    REDUCE_ROWS_BLOCK("reduce", "reduce_rows_block"),
    REDUCE_ROWS_THREAD("reduce", "reduce_rows_thread"),
    ARGREDUCE_ROWS("reduce", "argreduce_rows"),
    SOFTMAX_ROWS("reduce", "softmax_rows"),
    SGEMM_TILED("gemm", "sgemm_tiled"),
    SGEMM_SPLIT_SUM("gemm", "sgemm_split_sum"),
    IM2COL("conv", "im2col"),
    COL2IM("conv", "col2im"),
    MAXPOOL_FORWARD("pool", "maxpool_forward"),
    MAXPOOL_BACKWARD("pool", "maxpool_backward"),
    AVGPOOL_FORWARD("pool", "avgpool_forward"),
    AVGPOOL_BACKWARD("pool", "avgpool_backward"),
    BN_STATS("batchnorm", "bn_stats"),
    BN_APPLY("batchnorm", "bn_apply"),
    BN_BACKWARD_STATS("batchnorm", "bn_backward_stats"),
    BN_BACKWARD_APPLY("batchnorm", "bn_backward_apply"),
    NEAREST_COSINE_PARTIAL("mma", "nearest_cosine_partial"),
    NEAREST_COSINE_COMBINE("mma", "nearest_cosine_combine"),
    NEAREST_COSINE_BACKWARD("mma", "nearest_cosine_backward");

    final String module;
    final String entry;

    Kernel(String module, String entry) {
        this.module = module;
        this.entry = entry;
    }

    /** Class-path resource of the module's PTX. */
    String resource() {
        return Ptx.resource(module);
    }
}
