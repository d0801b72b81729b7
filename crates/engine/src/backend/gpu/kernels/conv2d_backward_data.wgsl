// dx[n, c, iy, ix] = Σ_{o, ky, kx} dy[n, o, oy, ox] · w[o, c, ky, kx] over the output positions
// whose window covers the input element (iy = oy·sh + ky − ph, ix = ox·sw + kx − pw). One thread
// per input element loops over them: no atomics, a fixed summation order.
struct Params {
    n: u32, c: u32, h: u32, w: u32,
    o: u32, kh: u32, kw: u32, oh: u32,
    ow: u32, sh: u32, sw: u32, ph: u32,
    pw: u32, dy_off: u32, w_off: u32, dx_off: u32,
    total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    if (idx >= p.total) { return; }
    let ix = idx % p.w;
    var t = idx / p.w;
    let iy = t % p.h;
    t = t / p.h;
    let c = t % p.c;
    let n = t / p.c;
    let ty = i32(iy + p.ph);
    let tx = i32(ix + p.pw);
    var s = 0.0;
    for (var ky = 0u; ky < p.kh; ky++) {
        let ry = ty - i32(ky);
        if (ry < 0 || u32(ry) % p.sh != 0u) { continue; }
        let oy = u32(ry) / p.sh;
        if (oy >= p.oh) { continue; }
        for (var kx = 0u; kx < p.kw; kx++) {
            let rx = tx - i32(kx);
            if (rx < 0 || u32(rx) % p.sw != 0u) { continue; }
            let ox = u32(rx) / p.sw;
            if (ox >= p.ow) { continue; }
            let d0 = p.dy_off + n * p.o * p.oh * p.ow + oy * p.ow + ox;
            let w0 = p.w_off + (c * p.kh + ky) * p.kw + kx;
            for (var o = 0u; o < p.o; o++) {
                s = fma(dy[d0 + o * p.oh * p.ow], wt[w0 + o * p.c * p.kh * p.kw], s);
            }
        }
    }
    dx[p.dx_off + idx] = s;
}
