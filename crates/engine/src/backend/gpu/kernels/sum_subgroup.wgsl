// sum_workgroup.wgsl's entry point for devices with subgroup operations (wgpu's SUBGROUP
// feature; naga takes the built-ins without `enable subgroups;`, which it does not yet parse): four times the threads, each subgroup adds its shares in registers
// (subgroupAdd), and the first thread adds one partial sum per subgroup instead of one per
// thread. The order of a subgroup's additions is the hardware's, so the last bits may differ
// from sum_workgroup.wgsl's; on one device a run is still reproducible.
const LANES: u32 = 256u;

// One per subgroup: wgpu's subgroups have at least 4 invocations.
var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32, @builtin(subgroup_invocation_id) lane: u32,
        @builtin(subgroup_id) sg: u32, @builtin(num_subgroups) subgroups: u32) {
    let s = subgroupAdd(share(li));
    if (lane == 0u) { part[sg] = s; }
    workgroupBarrier();
    if (li == 0u) {
        var total = 0.0;
        for (var t = 0u; t < subgroups; t++) { total += part[t]; }
        finish(total);
    }
}
