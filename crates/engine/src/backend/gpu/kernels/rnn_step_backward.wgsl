// One plain RNN step backward with the hidden projection's backward of the step after it fused in
// (one thread per (row r, unit j), no barriers): when has_next, the gradient reaching h_t is first
// completed, dh[r, j] += Σ_k d_{t+1}[r, k]·W_hh[k, j] (summed as gemm_small.wgsl does, then
// written back), from the pre-activation gradient the previous dispatch left at nd_off; then
// d_t[r, j] = dh[r, j]·(1 − h_t[r, j]²), tanh's derivative from its output. d_t and d_{t+1} live in
// one buffer (disjoint ranges); W_hh [H, H] is read from the model's flat parameters.
struct Params { n: u32, hid: u32, d_off: u32, nd_off: u32, has_next: u32, h_off: u32, dh_off: u32, w_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> d: array<f32>;
@group(0) @binding(2) var<storage, read> h: array<f32>;
@group(0) @binding(3) var<storage, read_write> dh: array<f32>;
@group(0) @binding(4) var<storage, read> w: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let state = p.n * p.hid;
    if (idx >= state) { return; }
    let r = idx / p.hid;
    let j = idx % p.hid;
    var d_h = dh[p.dh_off + idx];
    if (p.has_next != 0u) {
        let nd = p.nd_off + r * p.hid;
        var s = 0.0;
        for (var k = 0u; k < p.hid; k++) {
            s = fma(d[nd + k], w[p.w_off + k * p.hid + j], s);
        }
        d_h = s + d_h;
        dh[p.dh_off + idx] = d_h;
    }
    let y = h[p.h_off + idx];
    d[p.d_off + idx] = d_h * (1.0 - y * y);
}
