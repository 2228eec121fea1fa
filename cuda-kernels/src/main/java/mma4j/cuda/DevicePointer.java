package mma4j.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A device pointer whose raw address Java can read. Kernel arguments are passed as 64-bit
 * addresses with the view's offset already added, so no kernel needs a separate offset.
 */
final class DevicePointer extends CUdeviceptr {
    long address() {
        return getNativePointer();
    }
}
