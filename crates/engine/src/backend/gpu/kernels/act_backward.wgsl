// dx = dy · f'(x), elementwise, for every activation but softmax (softmax_backward.wgsl); kinds as
// in act_forward.wgsl. n counts inputs. Derivatives are computed from x alone (sigmoid and tanh
// are recomputed rather than read from y), which keeps the kernel within the four storage buffers
// per stage that downlevel devices guarantee. Maxout sends each output's gradient to the first input
// that attains the maximum. PReLU's slope gradient is prelu_dalpha.wgsl.
struct Params {
    kind: u32, n: u32, cols: u32, pieces: u32,
    x_off: u32, dy_off: u32, a_off: u32, dx_off: u32,
    s: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> alpha: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = (wg.y * nwg.x + wg.x) * 256u + li;
    if (i >= p.n) { return; }
    if (p.kind == 9u) {
        let out_cols = p.cols / p.pieces;
        let r = i / p.cols;
        let c = i % p.cols;
        let u = c / p.pieces;
        let base = p.x_off + r * p.cols + u * p.pieces;
        var best = x[base];
        var arg = 0u;
        for (var j = 1u; j < p.pieces; j++) {
            let v = x[base + j];
            if (v > best) { best = v; arg = j; }
        }
        dx[p.dx_off + i] = select(0.0, dy[p.dy_off + r * out_cols + u], c == u * p.pieces + arg);
        return;
    }
    let v = x[p.x_off + i];
    var d = 1.0;
    switch p.kind {
        case 1u: { d = 0.0; }
        case 2u: { let s = sigmoid(v); d = s * (1.0 - s); }
        case 3u: { let t = tanh(clamp(v, -15.0, 15.0)); d = 1.0 - t * t; }
        case 4u: { d = select(0.0, 1.0, v > 0.0); }
        case 5u: { d = select(p.s, 1.0, v > 0.0); }
        case 6u: { d = select(alpha[p.a_off + i % p.cols], 1.0, v > 0.0); }
        case 7u: { d = select(p.s * exp(min(v, 0.0)), 1.0, v > 0.0); }
        case 8u: {
            let s = sigmoid(p.s * v);
            d = s + p.s * v * s * (1.0 - s);
        }
        default: {}
    }
    dx[p.dx_off + i] = dy[p.dy_off + i] * d;
}
