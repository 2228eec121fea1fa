/**
 * Angular weight regularizers as differentiable ops: MMA (the paper's), and its competitors the
 * cosine loss, soft orthogonality and MHE (Riesz s = 1, 2, log, and the 30% mini-batch variant).
 *
 * <h2>One interface</h2>
 * A {@link mma4j.nn.regularizers.Regularizer} takes one layer's weight Variable (Linear [out, in]
 * or Conv2d [out, in, kH, kW], read as [out, in*kH*kW]) and returns a scalar Variable;
 * {@link mma4j.nn.regularizers.Regularizers#of} makes one by name ("mma", "cosine", "orthogonal",
 * "mhe0", "mhe1", "mhe2", "mhe2-batch", ..., "mhe" = "mhe2-batch").
 * {@link mma4j.nn.regularizers.LayerRegularization} applies one to the chosen layers of a model
 * (hidden, output = the last Linear, or all), with one coefficient or one per layer, and returns
 * the summed term plus the per-layer values for logging.
 *
 * <h2>Three implementations of MMA ({@link mma4j.nn.regularizers.Impl})</h2>
 * <ul>
 *   <li>COMPOSED ({@link mma4j.nn.regularizers.Composed#mma}): normalize rows, W W^T, minus
 *       2 diag, row max, acos(clamp), minus mean, all through autograd. The readable reference;
 *       autograd's backward costs two more n x n x d products.</li>
 *   <li>FUSED ({@link mma4j.nn.regularizers.NearestNeighbourLoss}), the default: the upper
 *       triangle of the raw W W^T (one symmetric Gemm product), a row max over its entries
 *       divided by the two row lengths, and an O(n d) backward, since only each row's nearest
 *       neighbour pair receives gradient. Applied to the weight itself, it adds that backward
 *       straight into the weight's gradient after the layer's own
 *       ({@link mma4j.autograd.Function#backwardInto}).</li>
 *   <li>TILED (same Function, {@code tile > 0}): the row maxima are streamed over square tiles
 *       of the cosine matrix, split over the worker pool, so memory is O(n d) for any n.</li>
 * </ul>
 * All three clamp cosines to +-0.99999 with no gradient beyond (identical or antipodal rows give a
 * finite loss and no NaN), break ties toward the lower index like argmax, and reject fewer than
 * two rows, an all-zero row or a non-finite value with an IllegalArgumentException naming it.
 * Orthogonal and MHE have COMPOSED and FUSED ({@link mma4j.nn.regularizers.PairEnergy}) forms.
 */
package mma4j.nn.regularizers;
