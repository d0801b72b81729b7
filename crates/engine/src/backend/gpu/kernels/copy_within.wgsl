// buf[dst_off + i] = buf[src_off + i] for i < n, for disjoint ranges of one buffer (WebGPU cannot
// copy a buffer onto itself, nor bind it twice when one binding is written).
struct Params { src_off: u32, dst_off: u32, n: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> buf: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = (wg.y * nwg.x + wg.x) * 256u + li;
    if (i < p.n) {
        buf[p.dst_off + i] = buf[p.src_off + i];
    }
}
