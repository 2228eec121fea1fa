package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;

/** Mean negative log-likelihood of log-probabilities [N, C] at class indices, as torch.nn.NLLLoss. */
public class NLLLoss extends Loss {
    public Variable forward(Variable logProbs, int[] targets) {
        return Functional.nllLoss(logProbs, targets);
    }
}
