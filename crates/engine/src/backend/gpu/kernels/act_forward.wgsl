// y = f(x), elementwise, for every activation but softmax (softmax_forward.wgsl). Maxout writes
// one output per `pieces` consecutive inputs; n counts outputs. Kinds: 0 linear, 1 binary_step,
// 2 sigmoid, 3 tanh, 4 relu, 5 leaky_relu(s), 6 prelu(alpha per column), 7 elu(s), 8 swish(s),
// 9 maxout(pieces).
struct Params {
    kind: u32, n: u32, cols: u32, pieces: u32,
    x_off: u32, a_off: u32, y_off: u32, s: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> alpha: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = (wg.y * nwg.x + wg.x) * 256u + li;
    if (i >= p.n) { return; }
    if (p.kind == 9u) {
        let out_cols = p.cols / p.pieces;
        let r = i / out_cols;
        let u = i % out_cols;
        let base = p.x_off + r * p.cols + u * p.pieces;
        var best = x[base];
        for (var j = 1u; j < p.pieces; j++) { best = max(best, x[base + j]); }
        y[p.y_off + i] = best;
        return;
    }
    let v = x[p.x_off + i];
    var out = v;
    switch p.kind {
        case 1u: { out = select(0.0, 1.0, v > 0.0); }
        case 2u: { out = sigmoid(v); }
        // Clamped: tanh(±15) is ±1 in f32, and some drivers overflow on large arguments.
        case 3u: { out = tanh(clamp(v, -15.0, 15.0)); }
        case 4u: { out = max(v, 0.0); }
        case 5u: { out = select(p.s * v, v, v > 0.0); }
        case 6u: { out = select(alpha[p.a_off + i % p.cols] * v, v, v > 0.0); }
        case 7u: { out = select(p.s * (exp(min(v, 0.0)) - 1.0), v, v > 0.0); }
        case 8u: { out = v * sigmoid(p.s * v); }
        default: {}
    }
    y[p.y_off + i] = out;
}
