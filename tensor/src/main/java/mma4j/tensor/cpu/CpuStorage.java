package mma4j.tensor.cpu;

import mma4j.tensor.Device;
import mma4j.tensor.Storage;

/** Host memory: a plain float array. */
public final class CpuStorage implements Storage {
    public final float[] data;
    private int version;

    public CpuStorage(float[] data) {
        this.data = data;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public int size() {
        return data.length;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public void bumpVersion() {
        version++;
    }
}
