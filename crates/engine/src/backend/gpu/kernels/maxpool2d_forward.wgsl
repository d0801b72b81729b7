// Max pooling over each of the N·C planes of an NCHW input, no padding, output sizes rounded down:
// y[plane, oy, ox] is the largest x[plane, oy·sh + ky, ox·sw + kx], and argmax receives its index
// within the input plane (iy·W + ix, as a float) for the backward pass. Ties go to the first in
// row-major window order; a NaN wins if seen first. One thread per output element.
struct Params {
    h: u32, w: u32, kh: u32, kw: u32,
    sh: u32, sw: u32, oh: u32, ow: u32,
    x_off: u32, y_off: u32, arg_off: u32, total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    if (idx >= p.total) { return; }
    let ox = idx % p.ow;
    let t = idx / p.ow;
    let oy = t % p.oh;
    let plane = t / p.oh;
    let base = p.x_off + plane * p.h * p.w;
    let first = oy * p.sh * p.w + ox * p.sw;
    var best = x[base + first];
    var at = first;
    for (var ky = 0u; ky < p.kh; ky++) {
        for (var kx = 0u; kx < p.kw; kx++) {
            let i = first + ky * p.w + kx;
            let v = x[base + i];
            if (v > best) { best = v; at = i; }
        }
    }
    y[p.y_off + idx] = best;
    arg[p.arg_off + idx] = f32(at);
}
