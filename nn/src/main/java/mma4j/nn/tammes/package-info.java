/**
 * The Tammes problem (n points on the sphere in R^d, smallest angle as large as possible), the
 * paper's Table 1 test of its losses. {@link mma4j.nn.tammes.TammesSolver#solve} runs the paper's
 * recipe (SGD, momentum 0.9, lr 0.1 divided by 5 on plateaus, 10,000 steps) on the MMA, cosine,
 * Riesz (s = 2) or log loss, or a stronger solver for the same objective (annealed soft-minimum
 * angle with L-BFGS and basin hopping); {@link mma4j.nn.tammes.Table1#run} reruns the whole table.
 */
package mma4j.nn.tammes;
