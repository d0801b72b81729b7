// One LSTM step backward with the hidden projection's backward of the step after it fused in (one
// thread per (row r, unit j), no barriers): when has_next, the gradient reaching h_t is first
// completed, dh[r, j] += Σ_g dgates_{t+1}[r, g]·W_hh[g, j] (summed as gemm_small.wgsl does, then
// written back), from the pre-activation gradients the previous dispatch left at ng_off; then the
// cell backward of lstm_cell_backward.wgsl. dh and dc live in one buffer (disjoint ranges);
// W_hh [4H, H] is read from the model's flat parameters.
struct Params { n: u32, hid: u32, g_off: u32, ng_off: u32, has_next: u32, c_off: u32, dh_off: u32, dc_off: u32, w_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> d: array<f32>;
@group(0) @binding(4) var<storage, read> w: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let state = p.n * p.hid;
    if (idx >= state) { return; }
    let r = idx / p.hid;
    let j = idx % p.hid;
    var d_h = d[p.dh_off + idx];
    if (p.has_next != 0u) {
        let gh = 4u * p.hid;
        let ng = p.ng_off + r * gh;
        var s = 0.0;
        for (var g = 0u; g < gh; g++) {
            s = fma(gates[ng + g], w[p.w_off + g * p.hid + j], s);
        }
        d_h = s + d_h;
        d[p.dh_off + idx] = d_h;
    }
    let g0 = p.g_off + r * 4u * p.hid + j;
    let i = gates[g0];
    let f = gates[g0 + p.hid];
    let g = gates[g0 + 2u * p.hid];
    let o = gates[g0 + 3u * p.hid];
    let cp = c[p.c_off + idx];
    let tc = tanh(clamp(c[p.c_off + state + idx], -15.0, 15.0));
    let d_c = d[p.dc_off + idx] + d_h * o * (1.0 - tc * tc);
    gates[g0] = d_c * g * i * (1.0 - i);
    gates[g0 + p.hid] = d_c * cp * f * (1.0 - f);
    gates[g0 + 2u * p.hid] = d_c * i * (1.0 - g * g);
    gates[g0 + 3u * p.hid] = d_h * tc * o * (1.0 - o);
    d[p.dc_off + idx] = d_c * f;
}
