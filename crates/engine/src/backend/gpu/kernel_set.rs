//! Which kernels the products and convolutions go to, by adapter class. Software adapters
//! (lavapipe, SwiftShader) run a workgroup barrier as a thread synchronisation on the CPU, which
//! costs milliseconds per dispatch, so there products go to the barrier-free `gemm_small.wgsl`
//! and convolutions to the direct `conv2d_forward.wgsl`, and only large products to the tiled
//! `gemm.wgsl`. Hardware GPUs synchronise a workgroup in a few cycles and gain from sharing
//! loads through workgroup memory, so there every product goes to the tiled GEMM and every
//! convolution forward to its implicit-GEMM form (`conv2d_forward_tiled.wgsl`): a small product
//! is one workgroup either way, and one rule keeps every shape on the kernels being tuned. (The
//! price: the barrier-free kernel also writes a dense layer's bias gradient; after a tiled
//! product it takes one `col_sum` dispatch.)
//! The set follows the adapter ([`KernelSet::for_adapter`]) and can be forced
//! ([`super::GpuBackend::set_kernels`]): the tests run every variant on whatever adapter they have,
//! and `dl101 bench --kernels` measures both where the crossover lies on a given GPU.

use super::device::AdapterSummary;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelSet {
    /// For software adapters: barrier-free kernels, the tiled GEMM only for large products.
    Software,
    /// For hardware GPUs: the workgroup-tiled GEMM and the implicit-GEMM convolution.
    Hardware,
}

/// Software adapters: the tiled GEMM only where both sides of C have `SOFTWARE_SIDE` rows and
/// columns and there are more than `SOFTWARE_MACS` multiply-adds (measured on lavapipe and
/// SwiftShader: below that the barriers cost more than the shared loads save).
const SOFTWARE_MACS: u64 = 1 << 21;
const SOFTWARE_SIDE: usize = 64;
impl KernelSet {
    pub const ALL: [KernelSet; 2] = [KernelSet::Software, KernelSet::Hardware];

    /// The set an adapter gets unless one is forced.
    pub fn for_adapter(adapter: &AdapterSummary) -> Self {
        if adapter.is_software { KernelSet::Software } else { KernelSet::Hardware }
    }

    pub fn name(self) -> &'static str {
        match self {
            KernelSet::Software => "software",
            KernelSet::Hardware => "hardware",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Whether an m×n×k product goes to the tiled GEMM.
    pub(super) fn tiled_gemm(self, m: usize, n: usize, k: usize) -> bool {
        // In u64: on wasm32 a large product overflows usize.
        match self {
            KernelSet::Software => m >= SOFTWARE_SIDE && n >= SOFTWARE_SIDE && (m as u64) * (n as u64) * (k as u64) > SOFTWARE_MACS,
            KernelSet::Hardware => true,
        }
    }

    /// Whether tiled products whose operands are 16-byte aligned read them as vec4s
    /// (`gemm_vec4.wgsl`): hardware GPUs load 16 bytes in one instruction; on software adapters
    /// the tiled kernel is kept for the few large products it takes.
    pub(super) fn vec4_loads(self) -> bool {
        self == KernelSet::Hardware
    }

    /// Whether convolution forwards go to the implicit-GEMM kernel.
    pub(super) fn tiled_conv(self) -> bool {
        self == KernelSet::Hardware
    }
}

impl std::fmt::Display for KernelSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_adapters_pick_their_class() {
        for k in KernelSet::ALL {
            assert_eq!(KernelSet::parse(k.name()), Some(k));
        }
        assert_eq!(KernelSet::parse("fast"), None);
        let soft = AdapterSummary { name: "llvmpipe".into(), backend: "Vulkan".into(), is_software: true, subgroups: None };
        let hard = AdapterSummary { name: "NVIDIA H100".into(), backend: "Vulkan".into(), is_software: false, subgroups: Some([32, 32]) };
        assert_eq!(KernelSet::for_adapter(&soft), KernelSet::Software);
        assert_eq!(KernelSet::for_adapter(&hard), KernelSet::Hardware);
    }

    #[test]
    fn hardware_tiles_what_software_leaves_to_the_barrier_free_kernel() {
        // A dense layer of 32 samples × 64 units × 64 inputs, and a tiny one.
        assert!(!KernelSet::Software.tiled_gemm(32, 64, 64));
        assert!(KernelSet::Hardware.tiled_gemm(32, 64, 64));
        assert!(!KernelSet::Software.tiled_gemm(8, 8, 2) && KernelSet::Hardware.tiled_gemm(8, 8, 2));
        assert!(KernelSet::Software.tiled_gemm(256, 256, 256) && KernelSet::Hardware.tiled_gemm(256, 256, 256));
    }
}
