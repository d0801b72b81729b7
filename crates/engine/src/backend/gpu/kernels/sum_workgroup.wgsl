// The entry point of the one-workgroup reductions (loss.wgsl, count_correct.wgsl), which define
// share(thread) and finish(total): the 64 shares go to workgroup memory and, after one barrier,
// the first thread adds them in order (WGSL has no float atomics; one barrier; reproducible).
const LANES: u32 = 64u;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) li: u32) {
    part[li] = share(li);
    workgroupBarrier();
    if (li == 0u) {
        var total = 0.0;
        for (var t = 0u; t < LANES; t++) { total += part[t]; }
        finish(total);
    }
}
