// The input gradient of max or average pooling: one thread per input element gathers dy over the
// windows that contain it (no atomics, a fixed order): for max pooling only the windows whose
// saved argmax names this element, for average pooling every one, weighted 1 / (kh·kw). Inputs in
// no window get 0. Kinds: 0 max (reads arg), 1 average (arg unused, bound to dy).
struct Params {
    kind: u32, h: u32, w: u32, kh: u32,
    kw: u32, sh: u32, sw: u32, oh: u32,
    ow: u32, dy_off: u32, arg_off: u32, dx_off: u32,
    total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> arg: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    if (idx >= p.total) { return; }
    let hw = p.h * p.w;
    let i = idx % hw;
    let plane = idx / hw;
    let iy = i / p.w;
    let ix = i % p.w;
    // Windows with oy·sh <= iy < oy·sh + kh: ceil((iy + 1 − kh) / sh) <= oy <= iy / sh.
    let oy0 = select(0u, (iy + 1u - p.kh + p.sh - 1u) / p.sh, iy + 1u >= p.kh);
    let oy1 = min(iy / p.sh + 1u, p.oh);
    let ox0 = select(0u, (ix + 1u - p.kw + p.sw - 1u) / p.sw, ix + 1u >= p.kw);
    let ox1 = min(ix / p.sw + 1u, p.ow);
    let d0 = plane * p.oh * p.ow;
    var s = 0.0;
    for (var oy = oy0; oy < oy1; oy++) {
        for (var ox = ox0; ox < ox1; ox++) {
            let o = d0 + oy * p.ow + ox;
            if (p.kind == 1u || u32(arg[p.arg_off + o]) == i) { s += dy[p.dy_off + o]; }
        }
    }
    if (p.kind == 1u) { s /= f32(p.kh * p.kw); }
    dx[p.dx_off + idx] = s;
}
