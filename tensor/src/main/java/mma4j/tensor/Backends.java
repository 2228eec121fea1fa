package mma4j.tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import mma4j.tensor.cpu.CpuBackend;

/** Finds backends by device type: the built-in CPU one plus whatever ServiceLoader offers. */
public final class Backends {
    private static volatile Map<String, Backend> byType;

    private Backends() {}

    private static Map<String, Backend> all() {
        Map<String, Backend> m = byType;
        if (m == null) {
            synchronized (Backends.class) {
                if (byType == null) {
                    Map<String, Backend> found = new LinkedHashMap<>();
                    found.put("cpu", CpuBackend.INSTANCE);
                    for (Backend b : ServiceLoader.load(Backend.class)) found.putIfAbsent(b.type(), b);
                    byType = found;
                }
                m = byType;
            }
        }
        return m;
    }

    /** The backend for a device, or a clear error naming what is missing. */
    public static Backend forDevice(Device device) {
        Backend b = all().get(device.type());
        if (b == null) {
            throw new IllegalArgumentException("no backend for device '" + device + "': known types are " + all().keySet()
                    + (device.type().equals("cuda") ? " (add the mma4j-cuda-kernels jar to the class path)" : ""));
        }
        if (!b.isAvailable()) {
            throw new IllegalStateException("device '" + device + "' is not available: " + b.unavailableReason());
        }
        if (device.index() >= b.deviceCount()) {
            throw new IllegalArgumentException("device '" + device + "' does not exist: " + b.deviceCount() + " " + device.type() + " device(s) found");
        }
        return b;
    }

    /** The backend for a type whether or not it is usable (for availability reports). */
    public static Backend find(String type) {
        return all().get(type);
    }

    public static Iterable<Backend> list() {
        return all().values();
    }
}
