// The convolution forward of conv2d_forward.wgsl (same parameters and flags: 1 = add bias, 2 = apply
// the activation `act`) as an implicit GEMM on gemm.wgsl's tiling, for hardware GPUs:
// Y[O × (N·OH·OW)] = W[O × (C·KH·KW)] · X̂[(C·KH·KW) × (N·OH·OW)], where X̂ (the im2col matrix) is
// never built: its elements are gathered from x as the 16-deep slices are staged in workgroup
// memory, zero where a tap falls in the padding, by tiled.wgsl's product (a 64×64 tile of Y per
// workgroup); the columns (output positions) run along the threads' x, so loads of x and stores
// of y are consecutive in memory.
struct Params {
    n: u32, c: u32, h: u32, w: u32,
    o: u32, kh: u32, kw: u32, oh: u32,
    ow: u32, sh: u32, sw: u32, ph: u32,
    pw: u32, x_off: u32, w_off: u32, b_off: u32,
    y_off: u32, flags: u32, total: u32, act: u32,
    s: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

fn act_f(v: f32) -> f32 { return epilogue_f(p.act, p.s, v); }

// W's row `o` (an output channel), depth `d` (a (channel, ky, kx) tap).
fn load_a(o: u32, d: u32) -> f32 {
    let ck = p.c * p.kh * p.kw;
    if (o >= p.o || d >= ck) { return 0.0; }
    return wt[p.w_off + o * ck + d];
}

// X̂'s depth `d`, column `j` (sample, output row, output column).
fn load_b(d: u32, j: u32) -> f32 {
    let plane = p.oh * p.ow;
    let taps = p.kh * p.kw;
    if (d >= p.c * taps || j >= p.n * plane) { return 0.0; }
    let n = j / plane;
    let pos = j % plane;
    let c = d / taps;
    let tap = d % taps;
    let iy = i32((pos / p.ow) * p.sh + tap / p.kw) - i32(p.ph);
    let ix = i32((pos % p.ow) * p.sw + tap % p.kw) - i32(p.pw);
    if (iy < 0 || ix < 0 || iy >= i32(p.h) || ix >= i32(p.w)) { return 0.0; }
    return x[p.x_off + ((n * p.c + c) * p.h + u32(iy)) * p.w + u32(ix)];
}

fn store(o: u32, j0: u32, v: vec4<f32>) {
    if (o >= p.o) { return; }
    let plane = p.oh * p.ow;
    for (var q = 0u; q < 4u; q++) {
        let j = j0 + q * 16u;
        if (j < p.n * plane) {
            var r = v[q];
            if ((p.flags & 1u) != 0u) { r += bias[p.b_off + o]; }
            if ((p.flags & 2u) != 0u) { r = act_f(r); }
            y[p.y_off + ((j / plane) * p.o + o) * plane + j % plane] = r;
        }
    }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wg.y * TILE;
    let col0 = wg.x * TILE;
    let acc = tiled_product(row0, col0, lid, p.c * p.kh * p.kw);
    let o = row0 + lid.y;
    let j = col0 + lid.x;
    store(o, j, acc[0]);
    store(o + 16u, j, acc[1]);
    store(o + 32u, j, acc[2]);
    store(o + 48u, j, acc[3]);
}
