package mma4j.cuda;

/**
 * Every kernel the backend launches: the PTX module (src/main/cuda/&lt;module&gt;.cu, shipped as
 * resource mma4j/cuda/ptx/&lt;module&gt;.ptx) and the extern "C" entry name. PtxSourcesTest checks
 * that each one exists in the committed PTX with these parameters.
 */
enum Kernel {
    FILL_STRIDED("elementwise", "fill_strided", "Llfp"),
    COPY_STRIDED("elementwise", "copy_strided", "Llpp"),
    UNARY_STRIDED("elementwise", "unary_strided", "Lliffpp"),
    BINARY_STRIDED("elementwise", "binary_strided", "Llippp"),
    WHERE_STRIDED("elementwise", "where_strided", "Llpppp"),
    SGD_STEP("elementwise", "sgd_step", "lpppffffii"),
    REDUCE_ROWS_BLOCK("reduce", "reduce_rows_block", "LLllipp"),
    REDUCE_ROWS_THREAD("reduce", "reduce_rows_thread", "LLllipp"),
    ARGREDUCE_ROWS("reduce", "argreduce_rows", "Lliiipp"),
    SOFTMAX_ROWS("reduce", "softmax_rows", "Lliiiipp"),
    SGEMM_TILED("gemm", "sgemm_tiled", "iiipiillpiilliifpilp"),
    SGEMM_SPLIT_SUM("gemm", "sgemm_split_sum", "iiiifppil"),
    IM2COL("conv", "im2col", "iiiiiiiiiipp"),
    COL2IM("conv", "col2im", "iiiiiiiiiipp"),
    MAXPOOL_FORWARD("pool", "maxpool_forward", "liiiiiiippp"),
    MAXPOOL_BACKWARD("pool", "maxpool_backward", "liippp"),
    AVGPOOL_FORWARD("pool", "avgpool_forward", "liiiiiiipp"),
    AVGPOOL_BACKWARD("pool", "avgpool_backward", "liiiiiiipp"),
    BN_STATS("batchnorm", "bn_stats", "iiifpppp"),
    BN_APPLY("batchnorm", "bn_apply", "liipppppp"),
    BN_BACKWARD_STATS("batchnorm", "bn_backward_stats", "iiippppppp"),
    BN_BACKWARD_APPLY("batchnorm", "bn_backward_apply", "liippppppp"),
    NEAREST_COSINE_PARTIAL("mma", "nearest_cosine_partial", "iipipp"),
    NEAREST_COSINE_COMBINE("mma", "nearest_cosine_combine", "iipppp"),
    NEAREST_COSINE_BACKWARD("mma", "nearest_cosine_backward", "iipppppp");

    final String module;
    final String entry;
    /**
     * The parameter kinds in order, as {@link Args} records them: 'L' Layout, 'p' pointer,
     * 'l' long long, 'i' int, 'f' float. Checked at every launch, and against the PTX by PtxSourcesTest.
     */
    final String params;

    Kernel(String module, String entry, String params) {
        this.module = module;
        this.entry = entry;
        this.params = params;
    }

    /** Class-path resource of the module's PTX. */
    String resource() {
        return Ptx.resource(module);
    }
}
