// With act != 0, dy is first scaled by the activation's derivative (the fused backward of
// y = f(conv), computed from y).
// dx[n, c, iy, ix] = Σ_{o, ky, kx} dy[n, o, oy, ox] · w[o, c, ky, kx] over the output positions
// whose window covers the input element (iy = oy·sh + ky − ph, ix = ox·sw + kx − pw): a transposed
// convolution where each thread gathers its terms (no atomics, a fixed summation order) for one
// input position of `block` consecutive input channels: 4 (a 1×4 register block: every dy value
// read serves four products) or, for fewer than four input channels, 1.
struct Params {
    n: u32, c: u32, h: u32, w: u32,
    o: u32, kh: u32, kw: u32, oh: u32,
    ow: u32, sh: u32, sw: u32, ph: u32,
    pw: u32, dy_off: u32, w_off: u32, dx_off: u32,
    total: u32, block: u32, y_off: u32, act: u32,
    s: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

// f'(z) from y = f(z) (codes as in gemm_small.wgsl; 0 = linear).
fn act_d(y: f32) -> f32 { return epilogue_df(p.act, p.s, y); }

// dy scaled by f'(z), from the activation's output y (laid out like dy).
fn grad(at: u32) -> f32 {
    let v = dy[at];
    if (p.act == 0u) { return v; }
    return v * act_d(y[at - p.dy_off + p.y_off]);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    // total = N · ceil(C / block) · H · W threads.
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    if (idx >= p.total) { return; }
    let ix = idx % p.w;
    var t = idx / p.w;
    let iy = t % p.h;
    t = t / p.h;
    let blocks = (p.c + p.block - 1u) / p.block;
    let c0 = (t % blocks) * p.block;
    let n = t / blocks;
    // Channels past C (the last block) repeat the last channel and are not written.
    let kk = p.kh * p.kw;
    let c1 = min(c0 + 1u, p.c - 1u) * kk;
    let c2 = min(c0 + 2u, p.c - 1u) * kk;
    let c3 = min(c0 + 3u, p.c - 1u) * kk;
    let ck = p.c * kk;
    let plane = p.oh * p.ow;
    let ty = i32(iy + p.ph);
    let tx = i32(ix + p.pw);
    var s = vec4<f32>(0.0);
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
            let d0 = p.dy_off + n * p.o * plane + oy * p.ow + ox;
            let w0 = p.w_off + ky * p.kw + kx;
            if (p.block == 1u) {
                for (var o = 0u; o < p.o; o++) {
                    s.x = fma(grad(d0 + o * plane), wt[w0 + o * ck + c0 * kk], s.x);
                }
            } else {
                for (var o = 0u; o < p.o; o++) {
                    let wo = w0 + o * ck;
                    let v = grad(d0 + o * plane);
                    s = fma(vec4<f32>(v), vec4<f32>(wt[wo + c0 * kk], wt[wo + c1], wt[wo + c2], wt[wo + c3]), s);
                }
            }
        }
    }
    let hw = p.h * p.w;
    let at = p.dx_off + ((n * p.c + c0) * p.h + iy) * p.w + ix;
    for (var k = 0u; k < p.block; k++) {
        if (c0 + k >= p.c) { break; }
        dx[at + k * hw] = s[k];
    }
}
