package mma4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import mma4j.autograd.Variable;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModuleTest {
    /** A ResNet-like block: the names PyTorch would give it are conv1, bn1. */
    static final class Block extends Module {
        final Conv2d conv1 = registerModule("conv1", Conv2d.builder(4, 4, 3).padding(1).bias(false).generator(new Generator(1)).build());
        final BatchNorm2d bn1 = registerModule("bn1", new BatchNorm2d(4));

        @Override
        public Variable forward(Variable x) {
            return bn1.forward(conv1.forward(x)).relu();
        }
    }

    static final class Net extends Module {
        final Conv2d conv1 = registerModule("conv1", Conv2d.builder(3, 4, 3).padding(1).bias(false).generator(new Generator(2)).build());
        final BatchNorm2d bn1 = registerModule("bn1", new BatchNorm2d(4));
        final Sequential layer1 = registerModule("layer1", new Sequential(new Block(), new Block()));
        final Linear fc = registerModule("fc", new Linear(4, 10, true, new Generator(3)));

        @Override
        public Variable forward(Variable x) {
            Variable h = layer1.forward(bn1.forward(conv1.forward(x)).relu());
            return fc.forward(h.mean(new int[] {2, 3}, false));
        }
    }

    @Test
    void stateDictKeysFollowPyTorchOrder() {
        // Printed by PyTorch 1.13 for the same module tree (list(net.state_dict().keys())).
        List<String> expected = List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
                "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var",
                "layer1.0.bn1.num_batches_tracked", "layer1.1.conv1.weight", "layer1.1.bn1.weight", "layer1.1.bn1.bias", "layer1.1.bn1.running_mean",
                "layer1.1.bn1.running_var", "layer1.1.bn1.num_batches_tracked", "fc.weight", "fc.bias");
        assertEquals(expected, List.copyOf(new Net().stateDict().keySet()));
    }

    @Test
    void parametersAndBuffersAreSeparate() {
        Net net = new Net();
        assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias",
                "layer1.1.conv1.weight", "layer1.1.bn1.weight", "layer1.1.bn1.bias", "fc.weight", "fc.bias"), List.copyOf(net.namedParameters().keySet()));
        assertEquals(List.of("bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var",
                "layer1.0.bn1.num_batches_tracked", "layer1.1.bn1.running_mean", "layer1.1.bn1.running_var", "layer1.1.bn1.num_batches_tracked"),
                List.copyOf(net.namedBuffers().keySet()));
        assertEquals(11, net.parameters().size());
        assertEquals(9, net.buffers().size());
        for (Parameter p : net.parameters()) assertTrue(p.requiresGrad());
        // 3*4*9 + 4 + 4 + 2 * (4*4*9 + 4 + 4) + 4*10 + 10
        assertEquals(108 + 8 + 2 * 152 + 50, net.parameterCount());
        assertSame(net.fc.weight(), net.namedParameters().get("fc.weight"));
        assertSame(net.fc.weight().data(), net.stateDict().get("fc.weight"));
    }

    @Test
    void childrenAndModules() {
        Net net = new Net();
        assertEquals(List.of("conv1", "bn1", "layer1", "fc"), List.copyOf(net.namedChildren().keySet()));
        assertEquals(List.of("", "conv1", "bn1", "layer1", "layer1.0", "layer1.0.conv1", "layer1.0.bn1", "layer1.1", "layer1.1.conv1", "layer1.1.bn1", "fc"),
                List.copyOf(net.namedModules().keySet()));
        assertSame(net, net.modules().get(0));
        assertEquals(4, net.children().size());
        int[] visited = {0};
        net.apply(m -> visited[0]++);
        assertEquals(11, visited[0]);
    }

    @Test
    void trainAndEvalReachEveryModule() {
        Net net = new Net();
        assertTrue(net.isTraining());
        net.eval();
        for (Module m : net.modules()) assertFalse(m.isTraining(), m.toString());
        net.train();
        for (Module m : net.modules()) assertTrue(m.isTraining());
        net.layer1.eval();
        assertTrue(net.isTraining());
        assertFalse(net.layer1.get(1).isTraining());
    }

    @Test
    void forwardRunsAndBackwardReachesEveryParameter() {
        Net net = new Net();
        Variable y = net.forward(Variable.of(Tensor.randn(new Generator(5), 2, 3, 6, 6)));
        assertArrayEquals(new int[] {2, 10}, y.shape());
        y.sum().backward();
        for (var e : net.namedParameters().entrySet()) assertNotNull(e.getValue().grad(), e.getKey());
        net.zeroGrad();
        for (Parameter p : net.parameters()) assertNull(p.grad());
    }

    static final class Tied extends Module {
        final Parameter w = registerParameter("w", new Parameter(Tensor.ones(2)));
        final Sequential inner = registerModule("inner", new Sequential());

        Tied() {
            inner.add(new Identity());
        }

        @Override
        public Variable forward(Variable x) {
            return x.mul(w);
        }
    }

    @Test
    void sharedParameterListedOnceButSavedUnderEachName() {
        Linear shared = new Linear(2, 2);
        Sequential s = new Sequential(shared, new ReLU(), shared);
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(s.namedParameters().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(s.stateDict().keySet()));
        assertEquals(List.of("w"), List.copyOf(new Tied().namedParameters().keySet()));
    }

    @Test
    void registrationRejectsBadNames() {
        class Bad extends Module {
            @Override public Variable forward(Variable x) { return x; }
            void add(String name) { registerParameter(name, new Parameter(Tensor.zeros(1))); }
            void addBuffer(String name) { registerBuffer(name, Tensor.zeros(1)); }
        }
        Bad b = new Bad();
        b.add("w");
        var dup = assertThrows(IllegalArgumentException.class, () -> b.addBuffer("w"));
        assertTrue(dup.getMessage().contains("'w' is already registered"), dup.getMessage());
        var dot = assertThrows(IllegalArgumentException.class, () -> b.add("a.b"));
        assertTrue(dot.getMessage().contains("no '.'"), dot.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.add(""));
    }

    @Test
    void sequentialChainsAndNamesByIndex() {
        Sequential s = new Sequential(new Linear(3, 4, true, new Generator(1)), new ReLU(), new Linear(4, 2, true, new Generator(2)));
        assertEquals(List.of("0", "1", "2"), List.copyOf(s.namedChildren().keySet()));
        assertEquals(3, s.size());
        assertInstanceOf(ReLU.class, s.get(1));
        Variable x = Variable.of(Tensor.randn(new Generator(3), 5, 3));
        Variable manual = s.get(2).forward(s.get(1).forward(s.get(0).forward(x)));
        assertArrayEquals(manual.data().toArray(), s.forward(x).data().toArray());
        assertThrows(IllegalArgumentException.class, () -> s.get(3));
    }

    @Test
    void moduleListRegistersButHasNoForward() {
        ModuleList list = new ModuleList(new Linear(2, 2), new Linear(2, 3));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(list.namedParameters().keySet()));
        int n = 0;
        for (Module m : list) n += m instanceof Linear ? 1 : 0;
        assertEquals(2, n);
        assertThrows(UnsupportedOperationException.class, () -> list.forward(Variable.of(Tensor.zeros(1, 2))));
    }

    @Test
    void toStringLooksLikePyTorch() {
        Sequential s = new Sequential(new Linear(2, 3), Conv2d.builder(3, 8, 3).stride(2).padding(1).bias(false).build(), new ReLU());
        assertEquals("""
                Sequential(
                  (0): Linear(in_features=2, out_features=3, bias=True)
                  (1): Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
                  (2): ReLU()
                )""", s.toString());
    }
}
