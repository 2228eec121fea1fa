/**
 * Angle diagnostics of trained weights: per layer the smallest pairwise angle between rows, the
 * mean nearest-neighbour angle, the number of pairs with cosine above 0.2 (the paper's Figure 1
 * count) and the MMA loss ({@link mma4j.nn.angles.AngleReport}), and a histogram of pairwise
 * cosines drawn like Figure 1 ({@link mma4j.nn.angles.CosineHistogram}, XChart, PNG).
 * Pairs are streamed tile by tile, so even a 100,000-class classifier needs no n x n matrix.
 */
package mma4j.nn.angles;
