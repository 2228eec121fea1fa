package mma4j.tensor;

import static mma4j.tensor.TensorTesting.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Device names and the backend registry. */
class DeviceTest {

    @Test
    void parseDevices() {
        assertSame(Device.CPU, Device.parse("cpu"));
        assertSame(Device.CPU, Device.parse(" CPU "));
        assertEquals(new Device("cuda", 0), Device.parse("cuda"));
        assertEquals(new Device("cuda", 1), Device.parse("cuda:1"));
        assertEquals("cuda:1", Device.parse("cuda:1").toString());
        assertEquals("cpu", Device.CPU.toString());
        assertTrue(Device.CPU.isCpu());
        assertBadInput(() -> Device.parse("cuda:x"), "cuda:x");
        assertBadInput(() -> Device.parse("cuda:-1"), "-1");
        assertBadInput(() -> Device.parse(null), "device");
        assertBadInput(() -> new Device("", 0), "device type");
    }

    @Test
    void cpuBackendIsBuiltIn() {
        Backend cpu = Backends.forDevice(Device.CPU);
        assertEquals("cpu", cpu.type());
        assertTrue(cpu.isAvailable());
        assertEquals(1, cpu.deviceCount());
        assertSame(cpu, Backends.find("cpu"));
        assertTrue(Backends.list().iterator().hasNext());
        Storage s = cpu.upload(Device.CPU, new float[] {1, 2, 3, 4}, 1, 2);
        assertEquals(2, s.size());
        float[] back = new float[3];
        cpu.download(s, 0, back, 1, 2);
        assertEquals(2f, back[1]);
        assertEquals(3f, back[2]);
        Tensor t = Tensor.empty(Device.CPU, 2, 2);
        assertEquals(4, t.numel());
        assertEquals(Device.CPU, t.device());
    }

    @Test
    void unknownDevicesFailWithTheKnownTypes() {
        assertBadInput(() -> Backends.forDevice(new Device("tpu", 0)), "tpu", "cpu");
        assertBadInput(() -> Backends.forDevice(new Device("cpu", 1)), "cpu:1");
        if (Backends.find("cuda") == null) {
            assertBadInput(() -> Tensor.zeros(2).to(Device.parse("cuda")), "cuda", "mma4j-cuda-kernels");
        }
    }

    @Test
    void storageBoundsAreCheckedWhenATensorIsMade() {
        Storage s = Tensor.zeros(6).storage();
        assertBadInput(() -> new Tensor(s, new int[] {2, 3}, new int[] {3, 1}, 1), "Tensor", "[2, 3]", "6");
        assertBadInput(() -> new Tensor(s, new int[] {2, 3}, new int[] {1}, 0), "Tensor", "[2, 3]");
        assertBadInput(() -> new Tensor(s, new int[] {-1}, new int[] {1}, 0), "Tensor", "[-1]");
        assertEquals(0, new Tensor(s, new int[] {0, 3}, new int[] {100, 1}, 50).numel(), "an empty view may point anywhere");
    }
}
