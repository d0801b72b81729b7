//! The GPU's fused layer ops (dense and convolution forward with the activation in the epilogue,
//! backward with the activation's derivative folded into the gradient kernels and the bias
//! gradient in the weight-gradient kernel) against the CPU, which runs them as separate ops:
//! for every fusable activation, on shapes that take the direct (register-blocked) GEMM and
//! the tiled one, with the bias gradient in the weight's buffer (one kernel) and apart from it,
//! and with each kernel set forced ([`KernelSet`]): the software adapters' barrier-free kernels
//! and the hardware GPUs' tiled GEMM and implicit-GEMM convolution, whatever the adapter.

#[path = "gpu_common/mod.rs"]
mod gpu_common;

use engine::activation::Activation;
use engine::backend::cpu::CpuBackend;
use engine::backend::{Backend, Conv2d, ConvGrad, DenseGrad, Gemm, View};
use engine::backend::gpu::KernelSet;
use engine::backend::gpu::kernels::Kernel;
use gpu_common::{Rng, get, gpu, put, zeros};

const ACTS: [Activation; 6] = [
    Activation::Linear,
    Activation::Relu,
    Activation::Tanh,
    Activation::Sigmoid,
    Activation::LeakyRelu { alpha: 0.1 },
    Activation::BinaryStep,
];

fn close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 2e-4 + 2e-4 * w.abs(), "{what}[{i}]: gpu {g}, cpu {w}");
    }
}

/// Forward then backward of a dense layer on one backend; returns (y, dweight, dbias, dx).
fn dense<B: Backend>(b: &mut B, act: Activation, rows: usize, fan_in: usize, units: usize, together: bool, seed: u64) -> [Vec<f32>; 4] {
    let mut rng = Rng::new(seed);
    let x = put(b, &rng.vec(rows * fan_in, -1.0, 1.0), 3);
    // Weight and bias in one buffer, as in the model's flat parameters.
    let params = put(b, &rng.vec(units * fan_in + units, -0.3, 0.3), 5);
    let weight = params.sub(0, units * fan_in);
    let bias = params.sub(units * fan_in, units);
    let z = zeros(b, rows * units, 1);
    let y = if act == Activation::Linear { z.clone() } else { zeros(b, rows * units, 2) };
    let g = Gemm { m: rows, n: units, k: fan_in, trans_a: false, trans_b: true, accumulate: false };
    if act == Activation::Linear {
        b.gemm(g, &x, &weight, Some(&bias), &z).unwrap();
    } else {
        b.dense_forward(g, act, &x, &weight, &bias, &z, &y).unwrap();
    }
    let dy = put(b, &rng.vec(rows * units, -1.0, 1.0), 4);
    let dz = zeros(b, rows * units, 0);
    let grads = zeros(b, units * fan_in + units, 7);
    let dweight = grads.sub(0, units * fan_in);
    let dbias = if together { grads.sub(units * fan_in, units) } else { zeros(b, units, 2) };
    let dx = zeros(b, rows * fan_in, 3);
    let d = DenseGrad { rows, fan_in, units, act, x: &x, z: &z, y: &y, dy: &dy, dz: &dz, weight: &weight, dweight: &dweight, dbias: &dbias, dx: Some(&dx) };
    b.dense_backward(d).unwrap();
    [get(b, &y), get(b, &dweight), get(b, &dbias), get(b, &dx)]
}

#[test]
fn dense_fused_matches_cpu_with_each_kernel_set() {
    let mut g = gpu();
    let mut c = CpuBackend::new();
    for kernels in KernelSet::ALL {
        g.set_kernels(kernels);
        let (small, tiled) = (g.dispatches_of(Kernel::GemmSmall), g.dispatches_of(Kernel::Gemm));
        // Small, odd widths; a 33×40→64 layer; a layer whose products are large enough for the
        // software set's tiled kernel (both sides ≥ 64, > 2^21 multiply-adds).
        for (rows, fan_in, units) in [(7, 5, 3), (33, 40, 64), (96, 300, 80)] {
            for act in ACTS {
                for together in [true, false] {
                    let seed = (rows * 1000 + units) as u64;
                    let want = dense(&mut c, act, rows, fan_in, units, together, seed);
                    let got = dense(&mut g, act, rows, fan_in, units, together, seed);
                    for (part, (gv, cv)) in ["y", "dweight", "dbias", "dx"].iter().zip(got.iter().zip(&want)) {
                        close(&format!("{kernels} dense {rows}x{fan_in}x{units} {act:?} together={together} {part}"), gv, cv);
                    }
                }
            }
        }
        let (small, tiled) = (g.dispatches_of(Kernel::GemmSmall) - small, g.dispatches_of(Kernel::Gemm) - tiled);
        // Per activation and bias placement: forward, dweight and dx products of each shape.
        let per_shape = (ACTS.len() * 2 * 3) as u64;
        match kernels {
            // Only the last shape is large enough for the tiled kernel.
            KernelSet::Software => assert_eq!((small, tiled), (2 * per_shape, per_shape), "software: products"),
            KernelSet::Hardware => assert_eq!((small, tiled), (0, 3 * per_shape), "hardware: products"),
        }
    }
}

fn conv<B: Backend>(b: &mut B, act: Activation, op: Conv2d, together: bool) -> [Vec<f32>; 4] {
    let mut rng = Rng::new(op.batch as u64 * 31 + op.out_channels as u64);
    let x = put(b, &rng.vec(op.x_len(), -1.0, 1.0), 2);
    let params = put(b, &rng.vec(op.weight_len() + op.out_channels, -0.4, 0.4), 3);
    let weight = params.sub(0, op.weight_len());
    let bias = params.sub(op.weight_len(), op.out_channels);
    let z = zeros(b, op.y_len(), 1);
    let y = if act == Activation::Linear { z.clone() } else { zeros(b, op.y_len(), 1) };
    if act == Activation::Linear {
        b.conv2d_forward(op, &x, &weight, Some(&bias), &z).unwrap();
    } else {
        b.conv2d_forward_act(op, act, &x, &weight, &bias, &z, &y).unwrap();
    }
    let dy = put(b, &rng.vec(op.y_len(), -1.0, 1.0), 1);
    let dz = zeros(b, op.y_len(), 0);
    let grads = zeros(b, op.weight_len() + op.out_channels, 4);
    let dweight = grads.sub(0, op.weight_len());
    let dbias: View<B::Buffer> = if together { grads.sub(op.weight_len(), op.out_channels) } else { zeros(b, op.out_channels, 1) };
    let dx = zeros(b, op.x_len(), 2);
    b.conv2d_backward(ConvGrad { op, act, x: &x, z: &z, y: &y, dy: &dy, dz: &dz, weight: &weight, dweight: &dweight, dbias: &dbias, dx: Some(&dx) })
        .unwrap();
    [get(b, &y), get(b, &dweight), get(b, &dbias), get(b, &dx)]
}

#[test]
fn conv_fused_matches_cpu_with_each_kernel_set() {
    let mut g = gpu();
    let mut c = CpuBackend::new();
    let ops = [
        Conv2d { batch: 3, in_channels: 1, height: 8, width: 8, out_channels: 8, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
        Conv2d { batch: 2, in_channels: 5, height: 7, width: 9, out_channels: 6, kernel: [3, 2], stride: [2, 1], padding: [1, 0] },
        // More than one 64×64 tile each way, and a depth (3·3·3 = 27) that is not a multiple of 16.
        Conv2d { batch: 5, in_channels: 3, height: 12, width: 11, out_channels: 70, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
    ];
    for kernels in KernelSet::ALL {
        g.set_kernels(kernels);
        let before = (g.dispatches_of(Kernel::Conv2dForward), g.dispatches_of(Kernel::Conv2dForwardTiled));
        for op in ops {
            for act in ACTS {
                for together in [true, false] {
                    let want = conv(&mut c, act, op, together);
                    let got = conv(&mut g, act, op, together);
                    for (part, (gv, cv)) in ["y", "dweight", "dbias", "dx"].iter().zip(got.iter().zip(&want)) {
                        close(&format!("{kernels} conv {op:?} {act:?} together={together} {part}"), gv, cv);
                    }
                }
            }
        }
        let direct = g.dispatches_of(Kernel::Conv2dForward) - before.0;
        let tiled = g.dispatches_of(Kernel::Conv2dForwardTiled) - before.1;
        let runs = (ops.len() * ACTS.len() * 2) as u64;
        match kernels {
            KernelSet::Software => assert_eq!((direct, tiled), (runs, 0), "software: every forward direct"),
            KernelSet::Hardware => assert_eq!((direct, tiled), (0, runs), "hardware: every forward an implicit GEMM"),
        }
    }
}
