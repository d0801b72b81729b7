//! The WGSL kernel table: one `.wgsl` file per kernel under `kernels/` (prefixed with the shared
//! helpers of `common.wgsl`, and the tiled kernels with `tiled.wgsl`), each loaded here once,
//! with the shape of its bind group. Every kernel takes its per-op parameters as a uniform at
//! binding 0 (bound with a dynamic offset into the recorder's uniform arena) and its storage
//! buffers at bindings 1, 2, ... in the order listed, whole buffers, with offsets in floats passed
//! in the uniform.

/// A kernel, indexing [`KERNELS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    Fill,
    CopyWithin,
    Gemm,
    GemmSmall,
    GemmVec4,
    ActForward,
    ActBackward,
    PreluDalpha,
    SoftmaxForward,
    SoftmaxBackward,
    ColSum,
    Loss,
    LossSubgroup,
    CountCorrect,
    CountCorrectSubgroup,
    GatherRows,
    OptimSgd,
    OptimMomentum,
    OptimAdam,
    Conv2dForward,
    Conv2dForwardTiled,
    Conv2dBackwardData,
    Conv2dBackwardWeights,
    Conv2dBackwardBias,
    MaxPool2dForward,
    AvgPool2dForward,
    Pool2dBackward,
    LstmCellForward,
    LstmCellBackward,
    GruCellForward,
    GruCellBackward,
    LstmStepForward,
    LstmStepBackward,
    RnnStepForward,
    RnnStepBackward,
    GruStepForward,
}

/// How a kernel is built and bound.
pub struct KernelDef {
    pub kernel: Kernel,
    pub name: &'static str,
    pub source: &'static str,
    /// One entry per storage binding (1, 2, ...): `true` where the kernel writes it.
    pub writes: &'static [bool],
    /// Whether it needs the device's subgroup operations: built only where the device has them
    /// (natively; naga 30 takes the built-ins without WGSL's `enable subgroups;`, which it rejects).
    pub subgroups: bool,
}

const R: bool = false;
const W: bool = true;

macro_rules! kernel {
    // The source is common.wgsl, the files named before the kernel's own, its own, and the files
    // named after it (WGSL has no includes).
    (@def $kernel:ident, $name:expr, [$($before:literal),*], $file:literal, [$($after:literal),*], $writes:expr, $subgroups:expr) => {
        KernelDef {
            kernel: Kernel::$kernel,
            name: $name,
            source: concat!(
                include_str!("kernels/common.wgsl"),
                $(include_str!(concat!("kernels/", $before, ".wgsl")),)*
                include_str!(concat!("kernels/", $file, ".wgsl"))
                $(, include_str!(concat!("kernels/", $after, ".wgsl")))*
            ),
            writes: $writes,
            subgroups: $subgroups,
        }
    };
    ($kernel:ident, $file:literal, $writes:expr) => {
        kernel!(@def $kernel, $file, [], $file, [], $writes, false)
    };
    // The products: the epilogue and bindings they share (gemm_common.wgsl), and for the scalar
    // tiled kernel the tiled product (tiled.wgsl).
    (gemm $kernel:ident, $file:literal, [$($before:literal),*], $writes:expr) => {
        kernel!(@def $kernel, $file, [$($before,)* "gemm_common"], $file, [], $writes, false)
    };
    // A kernel built on the shared tiled product (tiled.wgsl).
    (tiled $kernel:ident, $file:literal, $writes:expr) => {
        kernel!(@def $kernel, $file, ["tiled"], $file, [], $writes, false)
    };
    // A one-workgroup reduction (a file with share and finish) with either entry point.
    (workgroup_sum $kernel:ident, $file:literal, $writes:expr) => {
        kernel!(@def $kernel, $file, [], $file, ["sum_workgroup"], $writes, false)
    };
    (subgroup_sum $kernel:ident, $file:literal, $writes:expr) => {
        kernel!(@def $kernel, concat!($file, " (subgroups)"), [], $file, ["sum_subgroup"], $writes, true)
    };
}

/// Every kernel, in [`Kernel`] order.
pub const KERNELS: &[KernelDef] = &[
    kernel!(Fill, "fill", &[W]),
    kernel!(CopyWithin, "copy_within", &[W]),
    kernel!(gemm Gemm, "gemm", ["tiled"], &[R, R, R, W]),
    kernel!(GemmSmall, "gemm_small", &[R, R, R, W]),
    kernel!(gemm GemmVec4, "gemm_vec4", [], &[R, R, R, W]),
    kernel!(ActForward, "act_forward", &[R, R, W]),
    kernel!(ActBackward, "act_backward", &[R, R, R, W]),
    kernel!(PreluDalpha, "prelu_dalpha", &[R, R, W]),
    kernel!(SoftmaxForward, "softmax_forward", &[R, W]),
    kernel!(SoftmaxBackward, "softmax_backward", &[R, R, W]),
    kernel!(ColSum, "col_sum", &[R, R, W]),
    kernel!(workgroup_sum Loss, "loss", &[R, R, W, W]),
    kernel!(subgroup_sum LossSubgroup, "loss", &[R, R, W, W]),
    kernel!(workgroup_sum CountCorrect, "count_correct", &[R, R, W]),
    kernel!(subgroup_sum CountCorrectSubgroup, "count_correct", &[R, R, W]),
    kernel!(GatherRows, "gather_rows", &[R, R, W]),
    kernel!(OptimSgd, "optim_sgd", &[W, R]),
    kernel!(OptimMomentum, "optim_momentum", &[W, R, W]),
    kernel!(OptimAdam, "optim_adam", &[W, R, W, W]),
    kernel!(Conv2dForward, "conv2d_forward", &[R, R, R, W]),
    kernel!(tiled Conv2dForwardTiled, "conv2d_forward_tiled", &[R, R, R, W]),
    kernel!(Conv2dBackwardData, "conv2d_backward_data", &[R, R, R, W]),
    kernel!(Conv2dBackwardWeights, "conv2d_backward_weights", &[R, R, R, W]),
    kernel!(Conv2dBackwardBias, "conv2d_backward_bias", &[R, W]),
    kernel!(MaxPool2dForward, "maxpool2d_forward", &[R, W, W]),
    kernel!(AvgPool2dForward, "avgpool2d_forward", &[R, W]),
    kernel!(Pool2dBackward, "pool2d_backward", &[R, R, W]),
    kernel!(LstmCellForward, "lstm_cell_forward", &[W, W, W]),
    kernel!(LstmCellBackward, "lstm_cell_backward", &[W, R, R, W]),
    kernel!(GruCellForward, "gru_cell_forward", &[W, R, W]),
    kernel!(GruCellBackward, "gru_cell_backward", &[W, W, R, W]),
    kernel!(LstmStepForward, "lstm_step_forward", &[W, W, W, R]),
    kernel!(LstmStepBackward, "lstm_step_backward", &[W, R, W, R]),
    kernel!(RnnStepForward, "rnn_step_forward", &[W, W, R]),
    kernel!(RnnStepBackward, "rnn_step_backward", &[W, R, W, R]),
    kernel!(GruStepForward, "gru_step_forward", &[W, W, W, R]),
];

/// The largest number of storage buffers a kernel binds: the downlevel limit that the device is
/// requested with (browsers' WebGPU guarantees 8).
pub const MAX_STORAGE: usize = 4;

/// Bytes of uniform parameters a kernel may read (32 words: a convolution's sizes, strides,
/// paddings and offsets need 19).
pub const PARAM_BYTES: u64 = 128;

impl Kernel {
    pub fn def(self) -> &'static KernelDef {
        &KERNELS[self as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order_and_within_limits() {
        for (i, def) in KERNELS.iter().enumerate() {
            assert_eq!(def.kernel as usize, i, "{} out of order", def.name);
            assert!(def.writes.len() <= MAX_STORAGE, "{} binds too many buffers", def.name);
            assert!(def.source.contains("@compute"), "{} has no entry point", def.name);
        }
    }
}
