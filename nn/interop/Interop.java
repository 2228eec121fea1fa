import java.nio.file.*;
import java.util.*;
import mma4j.autograd.Variable;
import mma4j.nn.*;
import mma4j.nn.optim.SGD;
import mma4j.nn.safetensors.*;
import mma4j.tensor.*;

/** One-off interop check with PyTorch (see nn/README.md): write = save a trained model, read = load PyTorch's. */
public class Interop {
    static Sequential model(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(3, 4, true, g), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, true, g));
    }
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(System.getProperty("dir", "/tmp/nncheck"));
        Tensor x = Tensor.randn(new Generator(5), 6, 3);
        if (a[0].equals("write")) {
            Sequential m = model(1);
            SGD opt = new SGD(m.parameters(), SGD.options(0.1));
            for (int i = 0; i < 3; i++) {
                opt.zeroGrad();
                m.forward(Variable.of(x)).pow(2).mean().backward();
                opt.step();
            }
            m.eval();
            SafeTensors.save(dir.resolve("java.safetensors"), m.stateDict(), Map.of("format", "pt"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("x", toList(x)); out.put("y", toList(m.forward(Variable.of(x)).data()));
            Files.writeString(dir.resolve("java_io.json"), Json.write(out));
        } else {
            Sequential m = model(9);
            SafeTensors.Contents c = SafeTensors.read(dir.resolve("torch.safetensors"));
            System.out.println("dtypes " + c.dtypes() + " metadata " + c.metadata());
            m.loadStateDict(c.tensors(), true);
            m.eval();
            Map<?, ?> io = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("torch_io.json")));
            float[] xs = floats((List<?>) io.get("x")), ys = floats((List<?>) io.get("y"));
            float[] y = m.forward(Variable.of(Tensor.of(xs, 6, 3))).data().toArray();
            double max = 0;
            for (int i = 0; i < y.length; i++) max = Math.max(max, Math.abs(y[i] - ys[i]));
            System.out.println("java forward of torch weights vs torch: max abs diff " + max);
        }
    }
    static List<Double> toList(Tensor t) { List<Double> l = new ArrayList<>(); for (float f : t.toArray()) l.add((double) f); return l; }
    static float[] floats(List<?> l) { float[] f = new float[l.size()]; for (int i = 0; i < f.length; i++) f[i] = ((Number) l.get(i)).floatValue(); return f; }
}
