// One LSTM step backward, one thread per (row r, unit j): turns the saved activated gates into the
// gradients of their pre-activations (in place), and dc (gradient reaching c_t from step t+1) into
// the gradient of c_{t−1}. With tc = tanh(c_t), dc = dc_in + dh⊙o⊙(1 − tc²):
// di = dc⊙g⊙i(1−i), df = dc⊙c_{t−1}⊙f(1−f), dg = dc⊙i⊙(1−g²), do = dh⊙tc⊙o(1−o), dc_{t−1} = dc⊙f.
struct Params { n: u32, hid: u32, g_off: u32, c_off: u32, dh_off: u32, dc_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read> dh: array<f32>;
@group(0) @binding(4) var<storage, read_write> dc: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let state = p.n * p.hid;
    if (idx >= state) { return; }
    let r = idx / p.hid;
    let j = idx % p.hid;
    let g0 = p.g_off + r * 4u * p.hid + j;
    let i = gates[g0];
    let f = gates[g0 + p.hid];
    let g = gates[g0 + 2u * p.hid];
    let o = gates[g0 + 3u * p.hid];
    let cp = c[p.c_off + idx];
    let tc = tanh(clamp(c[p.c_off + state + idx], -15.0, 15.0));
    let d_h = dh[p.dh_off + idx];
    let d_c = dc[p.dc_off + idx] + d_h * o * (1.0 - tc * tc);
    gates[g0] = d_c * g * i * (1.0 - i);
    gates[g0 + p.hid] = d_c * cp * f * (1.0 - f);
    gates[g0 + 2u * p.hid] = d_c * i * (1.0 - g * g);
    gates[g0 + 3u * p.hid] = d_h * tc * o * (1.0 - o);
    dc[p.dc_off + idx] = d_c * f;
}
