// Average pooling over each of the N·C planes of an NCHW input, no padding, output sizes rounded
// down: y[plane, oy, ox] = (1 / (kh·kw))·Σ x[plane, oy·sh + ky, ox·sw + kx]. One thread per output.
struct Params {
    h: u32, w: u32, kh: u32, kw: u32,
    sh: u32, sw: u32, oh: u32, ow: u32,
    x_off: u32, y_off: u32, total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    if (idx >= p.total) { return; }
    let ox = idx % p.ow;
    let t = idx / p.ow;
    let oy = t % p.oh;
    let plane = t / p.oh;
    let first = p.x_off + plane * p.h * p.w + oy * p.sh * p.w + ox * p.sw;
    var s = 0.0;
    for (var ky = 0u; ky < p.kh; ky++) {
        let r = first + ky * p.w;
        for (var kx = 0u; kx < p.kw; kx++) { s += x[r + kx]; }
    }
    y[p.y_off + idx] = s / f32(p.kh * p.kw);
}
