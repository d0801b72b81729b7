//! The CPU backend's convolution (im2col + GEMM, in groups of samples) against the direct loops
//! it replaced, on shapes with padding, strides, kernels larger than the padded edge, several
//! channels, and a batch large enough to be split into several groups.

use engine::backend::Conv2d;
use engine::backend::cpu::conv;
use engine::rng::Rng;

fn values(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.uniform(-1.0, 1.0) as f32).collect()
}

#[allow(clippy::too_many_arguments)]
fn conv_op(batch: usize, c: usize, h: usize, w: usize, o: usize, k: [usize; 2], s: [usize; 2], p: [usize; 2]) -> Conv2d {
    Conv2d { batch, in_channels: c, height: h, width: w, out_channels: o, kernel: k, stride: s, padding: p }
}

fn close(got: &[f32], want: &[f32], scale: f32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-5 * scale.max(1.0), "{what}[{i}]: {g} but the direct loops give {w}");
    }
}

#[test]
fn im2col_convolution_matches_the_direct_loops() {
    let shapes = [
        conv_op(1, 1, 1, 1, 1, [1, 1], [1, 1], [0, 0]),
        conv_op(32, 1, 8, 8, 8, [3, 3], [1, 1], [1, 1]),
        conv_op(3, 2, 7, 9, 5, [3, 2], [2, 1], [1, 0]),
        conv_op(2, 3, 6, 5, 4, [5, 5], [2, 3], [2, 2]),
        conv_op(4, 2, 5, 5, 3, [3, 3], [3, 3], [2, 2]),
        conv_op(2, 4, 12, 12, 6, [7, 7], [1, 1], [3, 3]),
        conv_op(5, 3, 4, 4, 2, [2, 2], [2, 2], [0, 0]),
        // 16·49 rows × 784 positions per sample: one sample per group, three groups.
        conv_op(3, 16, 28, 28, 4, [7, 7], [1, 1], [3, 3]),
    ];
    let mut rng = Rng::new(5);
    for op in shapes {
        let x = values(&mut rng, op.x_len());
        let w = values(&mut rng, op.weight_len());
        let b = values(&mut rng, op.out_channels);
        let dy = values(&mut rng, op.y_len());
        let fan = (op.in_channels * op.kernel[0] * op.kernel[1]) as f32;
        let what = format!("{op:?}");

        let (mut y, mut y_ref) = (vec![9.0f32; op.y_len()], vec![0.0f32; op.y_len()]);
        conv::conv2d_forward(&op, &x, &w, Some(&b), &mut y);
        conv::conv2d_forward_direct(&op, &x, &w, Some(&b), &mut y_ref);
        close(&y, &y_ref, fan, &format!("forward {what}"));
        conv::conv2d_forward(&op, &x, &w, None, &mut y);
        conv::conv2d_forward_direct(&op, &x, &w, None, &mut y_ref);
        close(&y, &y_ref, fan, &format!("forward without bias {what}"));

        let (mut dx, mut dx_ref) = (vec![9.0f32; op.x_len()], vec![0.0f32; op.x_len()]);
        conv::conv2d_backward_data(&op, &dy, &w, &mut dx);
        conv::conv2d_backward_data_direct(&op, &dy, &w, &mut dx_ref);
        close(&dx, &dx_ref, (op.out_channels * op.kernel[0] * op.kernel[1]) as f32, &format!("backward data {what}"));

        let (mut dw, mut dw_ref) = (vec![9.0f32; op.weight_len()], vec![0.0f32; op.weight_len()]);
        conv::conv2d_backward_weight(&op, &x, &dy, &mut dw);
        conv::conv2d_backward_weight_direct(&op, &x, &dy, &mut dw_ref);
        close(&dw, &dw_ref, (op.batch * op.out_height() * op.out_width()) as f32, &format!("backward weight {what}"));
    }
}

#[test]
fn im2col_convolution_in_f64_matches_the_direct_loops() {
    let op = conv_op(3, 2, 7, 9, 5, [3, 2], [2, 1], [1, 0]);
    let mut rng = Rng::new(6);
    let mut v = |n: usize| (0..n).map(|_| rng.uniform(-1.0, 1.0)).collect::<Vec<f64>>();
    let (x, w, b, dy) = (v(op.x_len()), v(op.weight_len()), v(op.out_channels), v(op.y_len()));
    let (mut y, mut y_ref) = (vec![0.0; op.y_len()], vec![0.0; op.y_len()]);
    conv::conv2d_forward(&op, &x, &w, Some(&b), &mut y);
    conv::conv2d_forward_direct(&op, &x, &w, Some(&b), &mut y_ref);
    let (mut dx, mut dx_ref) = (vec![0.0; op.x_len()], vec![0.0; op.x_len()]);
    conv::conv2d_backward_data(&op, &dy, &w, &mut dx);
    conv::conv2d_backward_data_direct(&op, &dy, &w, &mut dx_ref);
    let (mut dw, mut dw_ref) = (vec![0.0; op.weight_len()], vec![0.0; op.weight_len()]);
    conv::conv2d_backward_weight(&op, &x, &dy, &mut dw);
    conv::conv2d_backward_weight_direct(&op, &x, &dy, &mut dw_ref);
    for (got, want) in [(&y, &y_ref), (&dx, &dx_ref), (&dw, &dw_ref)] {
        for (g, w) in got.iter().zip(want.iter()) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
    }
}
