package mma4j.models.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The datasets by the names the command line uses: fashion-mnist, cifar10, cifar100, tiny-imagenet.
 * Where each lives by default, how to read it, its normalization constants and the standard
 * training and test transforms.
 */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist", CIFAR10 = "cifar10", CIFAR100 = "cifar100", TINY_IMAGENET = "tiny-imagenet";
    public static final List<String> NAMES = List.of(FASHION_MNIST, CIFAR10, CIFAR100, TINY_IMAGENET);

    /** Where Debian's dataset-fashion-mnist package installs the four .gz files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private Datasets() {}

    /** The canonical name; accepts case and "_" for "-" variants, and cifar-10 / cifar-100. */
    public static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "fashion-mnist", "fashionmnist" -> FASHION_MNIST;
            case "cifar10", "cifar-10" -> CIFAR10;
            case "cifar100", "cifar-100" -> CIFAR100;
            case "tiny-imagenet", "tinyimagenet", "tiny-imagenet-200" -> TINY_IMAGENET;
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    /**
     * The directory read when none is given: /usr/share/datasets/fashion-mnist for Fashion-MNIST,
     * else data/&lt;name&gt; under the working directory (the CIFAR readers also look one level down,
     * in cifar-10-batches-bin/ or cifar-100-binary/, and TinyImageNet's in tiny-imagenet-200/).
     */
    public static Path defaultDir(String name) {
        String n = canonical(name);
        return n.equals(FASHION_MNIST) ? FASHION_MNIST_DIR : Path.of("data", n);
    }

    public static ByteImageDataset load(String name, Path dir, Split split) {
        return switch (canonical(name)) {
            case FASHION_MNIST -> IdxReader.load(FASHION_MNIST, dir, split, IdxReader.FASHION_MNIST_CLASSES);
            case CIFAR10 -> CifarReader.loadCifar10(dir, split);
            case CIFAR100 -> CifarReader.loadCifar100(dir, split);
            case TINY_IMAGENET -> TinyImageNetReader.load(dir, split);
            default -> throw new AssertionError(name);
        };
    }

    public static int numClasses(String name) {
        return switch (canonical(name)) {
            case FASHION_MNIST, CIFAR10 -> 10;
            case CIFAR100 -> 100;
            case TINY_IMAGENET -> 200;
            default -> throw new AssertionError(name);
        };
    }

    /** Image shape [C, H, W]. */
    public static int[] imageShape(String name) {
        return switch (canonical(name)) {
            case FASHION_MNIST -> new int[] {1, 28, 28};
            case CIFAR10, CIFAR100 -> new int[] {3, 32, 32};
            case TINY_IMAGENET -> new int[] {3, 64, 64};
            default -> throw new AssertionError(name);
        };
    }

    /**
     * Per-channel mean and std of the training images, the constants everyone uses. Fashion-MNIST's
     * were re-measured from the installed files (models/README.md says how); the others are the
     * published figures.
     */
    public static ChannelStats stats(String name) {
        return switch (canonical(name)) {
            case FASHION_MNIST -> new ChannelStats(new float[] {0.2860f}, new float[] {0.3530f});
            case CIFAR10 -> new ChannelStats(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f});
            case CIFAR100 -> new ChannelStats(new float[] {0.5071f, 0.4865f, 0.4409f}, new float[] {0.2673f, 0.2564f, 0.2762f});
            case TINY_IMAGENET -> new ChannelStats(new float[] {0.4802f, 0.4481f, 0.3975f}, new float[] {0.2302f, 0.2265f, 0.2262f});
            default -> throw new AssertionError(name);
        };
    }

    /** Padding of the training crop: 4 for CIFAR and TinyImageNet (the papers' recipe), 2 for 28x28 Fashion-MNIST. */
    public static int cropPadding(String name) {
        return canonical(name).equals(FASHION_MNIST) ? 2 : 4;
    }

    /** RandomCrop(size, padding) + RandomHorizontalFlip(0.5) + Normalize(stats(name)). */
    public static Transform trainTransform(String name) {
        return trainTransform(name, stats(name));
    }

    public static Transform trainTransform(String name, ChannelStats stats) {
        int[] s = imageShape(name);
        return Transform.compose(new RandomCrop(s[1], s[2], cropPadding(name)), new RandomHorizontalFlip(0.5), new Normalize(stats));
    }

    /** Normalize(stats(name)) alone. */
    public static Transform testTransform(String name) {
        return testTransform(name, stats(name));
    }

    public static Transform testTransform(String name, ChannelStats stats) {
        imageShape(name); // checks the name
        return Transform.compose(new Normalize(stats));
    }
}
