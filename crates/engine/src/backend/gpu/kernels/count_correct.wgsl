// out[0] = how many rows of pred are right, in one workgroup: each of its LANES threads counts a
// strided share of the rows (as a float: exact below 2^24) and the entry point
// (sum_workgroup.wgsl or sum_subgroup.wgsl) adds the counts and calls finish.
// Kinds as in loss.wgsl: softmax cross-entropy compares the row's argmax (first maximum) with the
// class index; sigmoid BCE compares logit > 0 with target > 0.5; MSE compares the nearest of
// {-1, 1} (pred >= 0 → 1) with the target's. A row with several columns is right when all are.
struct Params { kind: u32, rows: u32, cols: u32, pred_off: u32, target_off: u32, out_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn share(li: u32) -> f32 {
    var count = 0.0;
    for (var r = li; r < p.rows; r += LANES) {
        let base = p.pred_off + r * p.cols;
        var right = true;
        if (p.kind == 1u) {
            var best = pred[base];
            var arg = 0u;
            for (var c = 1u; c < p.cols; c++) {
                let v = pred[base + c];
                if (v > best) { best = v; arg = c; }
            }
            right = f32(arg) == round(labels[p.target_off + r]);
        } else {
            for (var c = 0u; c < p.cols; c++) {
                let x = pred[base + c];
                let t = labels[p.target_off + r * p.cols + c];
                if (p.kind == 2u) {
                    right = right && ((x > 0.0) == (t > 0.5));
                } else {
                    right = right && ((x >= 0.0) == (t >= 0.0));
                }
            }
        }
        count += select(0.0, 1.0, right);
    }
    return count;
}

fn finish(total: f32) {
    out[p.out_off] = total;
}
