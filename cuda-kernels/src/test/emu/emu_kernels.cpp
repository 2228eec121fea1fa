// All mma4j kernels compiled for the CPU, and the C entry points EmulatedRuntime.java calls.
#include "emu.h"

#include "elementwise.cu"
#include "reduce.cu"
#include "gemm.cu"
#include "conv.cu"
#include "pool.cu"
#include "batchnorm.cu"
#include "mma.cu"

#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace emu {
void run_grid(int gx, int gy, int gz, int bx, const std::function<void()>& kernel);
}

namespace {
// Calls a kernel with arguments unpacked from cuLaunchKernel-style kernelParams (one pointer per
// argument to its value); the argument types come from the kernel's own signature.
template <auto F>
struct Invoker;

template <class... A, void (*F)(A...)>
struct Invoker<F> {
    template <size_t... I>
    static void call(void** p, std::index_sequence<I...>) {
        F(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
    }
    static void call(void** p) { call(p, std::index_sequence_for<A...>{}); }
};

#define KERNEL(name) {#name, &Invoker<name>::call}
const std::map<std::string, void (*)(void**)> kernels = {
    KERNEL(fill_strided), KERNEL(copy_strided), KERNEL(unary_strided), KERNEL(binary_strided),
    KERNEL(where_strided), KERNEL(sgd_step), KERNEL(reduce_rows_block), KERNEL(reduce_rows_thread),
    KERNEL(argreduce_rows), KERNEL(softmax_rows), KERNEL(sgemm_tiled), KERNEL(sgemm_split_sum),
    KERNEL(im2col), KERNEL(col2im), KERNEL(maxpool_forward), KERNEL(maxpool_backward),
    KERNEL(avgpool_forward), KERNEL(avgpool_backward), KERNEL(bn_stats), KERNEL(bn_apply),
    KERNEL(bn_backward_stats), KERNEL(bn_backward_apply), KERNEL(nearest_cosine_partial),
    KERNEL(nearest_cosine_combine), KERNEL(nearest_cosine_backward),
};

std::string last_error;
}  // namespace

extern "C" {
long long emu_alloc(long long bytes) {
    size_t size = (size_t)((bytes + 255) / 256 * 256);
    return (long long)(intptr_t)std::aligned_alloc(256, size == 0 ? 256 : size);
}

void emu_free(long long address) { std::free((void*)(intptr_t)address); }

// 0 on success; otherwise emu_error() says why.
int emu_launch(const char* name, int gx, int gy, int gz, int bx, void** params) {
    auto k = kernels.find(name);
    if (k == kernels.end()) {
        last_error = std::string("no kernel named ") + name;
        return 1;
    }
    try {
        auto call = k->second;
        emu::run_grid(gx, gy, gz, bx, [&] { call(params); });
        return 0;
    } catch (const std::exception& e) {
        last_error = std::string(name) + ": " + e.what();
        return 2;
    }
}

const char* emu_error() { return last_error.c_str(); }
}
