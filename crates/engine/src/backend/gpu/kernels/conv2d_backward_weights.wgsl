// dw[o, c, ky, kx] = Σ_{n, oy, ox} dy[n, o, oy, ox] · x[n, c, oy·sh + ky − ph, ox·sw + kx − pw]
// (zero outside the input): one thread per weight gradient reduces by looping over the batch and
// the output positions whose window reaches the input with this tap (no atomics, a fixed order).
// The bias gradient is conv2d_backward_bias.wgsl.
struct Params {
    n: u32, c: u32, h: u32, w: u32,
    o: u32, kh: u32, kw: u32, oh: u32,
    ow: u32, sh: u32, sw: u32, ph: u32,
    pw: u32, x_off: u32, dy_off: u32, dw_off: u32,
    total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    if (idx >= p.total) { return; }
    let plane = p.oh * p.ow;
    let kx = idx % p.kw;
    var t = idx / p.kw;
    let ky = t % p.kh;
    t = t / p.kh;
    let c = t % p.c;
    let o = t / p.c;
    // The output rows and columns whose window row ky / column kx falls inside the input.
    let dy0 = i32(ky) - i32(p.ph);
    let dx0 = i32(kx) - i32(p.pw);
    // (Divisions of non-negative numbers only: WGSL's integer division truncates.)
    let oy0 = u32(max(0, -dy0) + i32(p.sh) - 1) / p.sh;
    let ry = i32(p.h) - 1 - dy0;
    let oy1 = select(0u, min(u32(ry) / p.sh + 1u, p.oh), ry >= 0);
    let ox0 = u32(max(0, -dx0) + i32(p.sw) - 1) / p.sw;
    let rx = i32(p.w) - 1 - dx0;
    let ox1 = select(0u, min(u32(rx) / p.sw + 1u, p.ow), rx >= 0);
    var s = 0.0;
    for (var n = 0u; n < p.n; n++) {
        let d0 = p.dy_off + (n * p.o + o) * plane;
        let x0 = p.x_off + (n * p.c + c) * p.h * p.w;
        for (var oy = oy0; oy < oy1; oy++) {
            let xr = x0 + u32(i32(oy * p.sh) + dy0) * p.w;
            let dr = d0 + oy * p.ow;
            for (var ox = ox0; ox < ox1; ox++) {
                s = fma(dy[dr + ox], x[xr + u32(i32(ox * p.sw) + dx0)], s);
            }
        }
    }
    dw[p.dw_off + idx] = s;
}
