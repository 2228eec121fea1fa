// The fiber scheduler behind emu.h: runs a grid block by block, each block's threads as fibers.
#include "emu.h"

#include <ucontext.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace emu {
dim3 grid_dim, block_dim, block_idx;
dim3* thread_idx;

namespace {
enum State { RUNNABLE, AT_BLOCK_BARRIER, AT_WARP_EXCHANGE, DONE };

struct Fiber {
    ucontext_t context;
    dim3 idx;
    State state;
};

constexpr int MAX_THREADS = 1024;
constexpr size_t STACK_BYTES = 256 * 1024;

std::vector<Fiber> fibers(MAX_THREADS);
std::vector<std::vector<char>> stacks;
ucontext_t scheduler;
int current;
const std::function<void()>* body;
uint64_t warp_slots[MAX_THREADS / 32][32];

void fiber_main() {
    (*body)();
    fibers[current].state = DONE;
    swapcontext(&fibers[current].context, &scheduler);
}

void wait_as(State s) {
    fibers[current].state = s;
    swapcontext(&fibers[current].context, &scheduler);
}

void run_block(int n) {
    if ((int)stacks.size() < n) stacks.resize(n, std::vector<char>(STACK_BYTES));
    for (int i = 0; i < n; i++) {
        Fiber& f = fibers[i];
        f.idx = dim3{(unsigned)i, 0, 0};
        f.state = RUNNABLE;
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = stacks[i].data();
        f.context.uc_stack.ss_size = STACK_BYTES;
        f.context.uc_link = nullptr;
        makecontext(&f.context, fiber_main, 0);
    }
    int done = 0;
    while (done < n) {
        // Run every runnable thread until it finishes or waits.
        for (int i = 0; i < n; i++) {
            if (fibers[i].state != RUNNABLE) continue;
            current = i;
            thread_idx = &fibers[i].idx;
            swapcontext(&scheduler, &fibers[i].context);
            if (fibers[i].state == DONE) done++;
        }
        if (done == n) break;
        bool released = false;
        // A warp exchange completes when every live lane of the warp has arrived.
        for (int w = 0; w * 32 < n; w++) {
            int arrived = 0, live = 0;
            for (int i = w * 32; i < std::min(n, w * 32 + 32); i++) {
                if (fibers[i].state != DONE) live++;
                if (fibers[i].state == AT_WARP_EXCHANGE) arrived++;
            }
            if (arrived > 0 && arrived == live) {
                for (int i = w * 32; i < std::min(n, w * 32 + 32); i++) {
                    if (fibers[i].state == AT_WARP_EXCHANGE) fibers[i].state = RUNNABLE;
                }
                released = true;
            }
        }
        if (released) continue;
        // __syncthreads completes when every live thread of the block has arrived.
        int arrived = 0;
        for (int i = 0; i < n; i++) arrived += fibers[i].state == AT_BLOCK_BARRIER;
        if (arrived > 0 && arrived == n - done) {
            for (int i = 0; i < n; i++) {
                if (fibers[i].state == AT_BLOCK_BARRIER) fibers[i].state = RUNNABLE;
            }
            continue;
        }
        throw std::runtime_error("block (" + std::to_string(block_idx.x) + "," + std::to_string(block_idx.y) + "," +
                                 std::to_string(block_idx.z) + "): threads wait at different barriers "
                                 "(a __syncthreads or warp shuffle that not every thread reaches)");
    }
}
}  // namespace

void sync_block() { wait_as(AT_BLOCK_BARRIER); }

void warp_exchange(const void* value, void* result, int bytes, int src_lane) {
    int lane = fibers[current].idx.x & 31, warp = fibers[current].idx.x >> 5;
    std::memcpy(&warp_slots[warp][lane], value, bytes);
    wait_as(AT_WARP_EXCHANGE);  // every lane has written
    std::memcpy(result, &warp_slots[warp][src_lane], bytes);
    wait_as(AT_WARP_EXCHANGE);  // every lane has read, so slots may be written again
}

void run_grid(int gx, int gy, int gz, int bx, const std::function<void()>& kernel) {
    if (bx < 1 || bx > MAX_THREADS || bx % 32 != 0) {
        throw std::runtime_error("block size " + std::to_string(bx) + " is not a multiple of 32 in [32, 1024]");
    }
    if (gx < 1 || gy < 1 || gz < 1 || gy > 65535 || gz > 65535) {
        throw std::runtime_error("invalid grid " + std::to_string(gx) + "x" + std::to_string(gy) + "x" + std::to_string(gz));
    }
    grid_dim = dim3{(unsigned)gx, (unsigned)gy, (unsigned)gz};
    block_dim = dim3{(unsigned)bx, 1, 1};
    body = &kernel;
    for (int z = 0; z < gz; z++)
        for (int y = 0; y < gy; y++)
            for (int x = 0; x < gx; x++) {
                block_idx = dim3{(unsigned)x, (unsigned)y, (unsigned)z};
                run_block(bx);
            }
}
}  // namespace emu
