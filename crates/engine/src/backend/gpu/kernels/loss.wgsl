// The batch-mean loss into loss[0] and its gradient into dpred, in one workgroup: each of its
// LANES threads takes a strided share of rows (softmax cross-entropy) or elements (MSE, sigmoid
// BCE), writes their gradients and returns their summed loss; the entry point (sum_workgroup.wgsl,
// or sum_subgroup.wgsl where the device has subgroup operations) adds the shares and calls
// finish. Kinds: 0 MSE, 1 softmax cross-entropy (target = class index per row, stored
// as a float), 2 sigmoid BCE. Both cross-entropies are fused with their squashing function and
// shifted so that no exp overflows. A class index outside [0, cols) makes the loss NaN.
struct Params {
    kind: u32, rows: u32, cols: u32, pred_off: u32,
    target_off: u32, dpred_off: u32, loss_off: u32,
    // A quiet NaN's bits, from the host: WGSL rejects a constant NaN, so it cannot be a literal.
    nan_bits: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read_write> dpred: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;

fn share(li: u32) -> f32 {
    var s = 0.0;
    let n = p.rows * p.cols;
    if (p.kind == 1u) {
        let inv_rows = 1.0 / f32(p.rows);
        for (var r = li; r < p.rows; r += LANES) {
            let base = p.pred_off + r * p.cols;
            var m = pred[base];
            for (var c = 1u; c < p.cols; c++) { m = max(m, pred[base + c]); }
            var sum = 0.0;
            for (var c = 0u; c < p.cols; c++) { sum += exp(pred[base + c] - m); }
            let tf = round(labels[p.target_off + r]);
            var t = 0u;
            if (tf >= 0.0 && tf < f32(p.cols)) {
                t = u32(tf);
                s += m + log(sum) - pred[base + t];
            } else {
                t = p.cols;
                s += bitcast<f32>(p.nan_bits);
            }
            let inv_sum = 1.0 / sum;
            for (var c = 0u; c < p.cols; c++) {
                let q = exp(pred[base + c] - m) * inv_sum;
                dpred[p.dpred_off + r * p.cols + c] = (q - select(0.0, 1.0, c == t)) * inv_rows;
            }
        }
    } else {
        let inv_n = 1.0 / f32(n);
        for (var i = li; i < n; i += LANES) {
            let x = pred[p.pred_off + i];
            let t = labels[p.target_off + i];
            if (p.kind == 0u) {
                let d = x - t;
                s += d * d;
                dpred[p.dpred_off + i] = 2.0 * d * inv_n;
            } else {
                // max(x, 0) − x·t + log(1 + e^(−|x|)) is log(1 + e^x) − x·t without overflow.
                s += max(x, 0.0) - x * t + log(1.0 + exp(-abs(x)));
                dpred[p.dpred_off + i] = (sigmoid(x) - t) * inv_n;
            }
        }
    }
    return s;
}

fn finish(total: f32) {
    loss[p.loss_off] = total / f32(select(p.rows * p.cols, p.rows, p.kind == 1u));
}
