// One GRU step backward, one thread per (row r, unit j). With δ = dh_t (second half of dh),
// dn = δ⊙(1−z)⊙(1−n²), dz = δ⊙(h_{t−1} − n)⊙z(1−z), dr = dn⊙hp_n⊙r(1−r): gates becomes
// (dr, dz, dn), the gradient of x·W_ihᵀ + b_ih; hp becomes (dr, dz, dn⊙r), the gradient of
// h_{t−1}·W_hhᵀ + b_hh; δ⊙z is added to the first half of dh (the gradient reaching h_{t−1}).
struct Params { n: u32, hid: u32, g_off: u32, hp_off: u32, hprev_off: u32, dh_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read_write> hp: array<f32>;
@group(0) @binding(3) var<storage, read> hprev: array<f32>;
@group(0) @binding(4) var<storage, read_write> dh: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let state = p.n * p.hid;
    if (idx >= state) { return; }
    let row = idx / p.hid;
    let j = idx % p.hid;
    let g0 = p.g_off + row * 3u * p.hid + j;
    let h0 = p.hp_off + row * 3u * p.hid + j;
    let r = gates[g0];
    let z = gates[g0 + p.hid];
    let n = gates[g0 + 2u * p.hid];
    let hpn = hp[h0 + 2u * p.hid];
    let d = dh[p.dh_off + state + idx];
    let dn = d * (1.0 - z) * (1.0 - n * n);
    let dz = d * (hprev[p.hprev_off + idx] - n) * z * (1.0 - z);
    let dr = dn * hpn * r * (1.0 - r);
    gates[g0] = dr;
    gates[g0 + p.hid] = dz;
    gates[g0 + 2u * p.hid] = dn;
    hp[h0] = dr;
    hp[h0 + p.hid] = dz;
    hp[h0 + 2u * p.hid] = dn * r;
    dh[p.dh_off + idx] += d * z;
}
