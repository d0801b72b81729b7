// out[j] (+)= Σ_r x[r, j]: the bias gradient. One workgroup per column, a strided sum per thread
// and a tree in workgroup memory (WGSL has no float atomics); the order is fixed, so results are
// reproducible.
struct Params { rows: u32, cols: u32, x_off: u32, out_off: u32, accumulate: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let col = wg.y * nwg.x + wg.x;
    var s = 0.0;
    if (col < p.cols) {
        for (var r = li; r < p.rows; r += 64u) { s += x[p.x_off + r * p.cols + col]; }
    }
    part[li] = s;
    workgroupBarrier();
    for (var w = 32u; w > 0u; w >>= 1u) {
        if (li < w) { part[li] += part[li + w]; }
        workgroupBarrier();
    }
    if (li == 0u && col < p.cols) {
        var v = part[0];
        if (p.accumulate != 0u) { v += out[p.out_off + col]; }
        out[p.out_off + col] = v;
    }
}
