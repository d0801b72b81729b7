// With act != 0, dy is first scaled by the activation's derivative (the fused backward of
// y = f(conv)); with bias = O, O more threads write the bias gradient to dw[db_off + o].
// dw[o, c, ky, kx] = Σ_{n, oy, ox} dy[n, o, oy, ox] · x[n, c, oy·sh + ky − ph, ox·sw + kx − pw]
// (zero outside the input): one thread per weight gradient reduces by looping over the batch and
// the output positions whose window reaches the input with this tap (no atomics, a fixed order).
// The bias gradient is conv2d_backward_bias.wgsl.
struct Params {
    n: u32, c: u32, h: u32, w: u32,
    o: u32, kh: u32, kw: u32, oh: u32,
    ow: u32, sh: u32, sw: u32, ph: u32,
    pw: u32, x_off: u32, dy_off: u32, dw_off: u32,
    total: u32, y_off: u32, db_off: u32, bias: u32,
    act: u32, s: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> dw: array<f32>;

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
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let plane = p.oh * p.ow;
    if (idx >= p.total) {
        // The next `bias` threads: the bias gradient of channel o, in (n, oy, ox) order.
        let o = idx - p.total;
        if (o >= p.bias) { return; }
        var s = 0.0;
        for (var n = 0u; n < p.n; n++) {
            let d0 = p.dy_off + (n * p.o + o) * plane;
            for (var q = 0u; q < plane; q++) { s += grad(d0 + q); }
        }
        dw[p.db_off + o] = s;
        return;
    }
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
                s = fma(grad(dr + ox), x[xr + u32(i32(ox * p.sw) + dx0)], s);
            }
        }
    }
    dw[p.dw_off + idx] = s;
}
