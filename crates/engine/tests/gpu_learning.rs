//! The learning scenarios of `engine::testing` on the GPU backend (lavapipe natively): the same
//! experiments, specs and thresholds as on the CPU.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_common;

engine::learning_tests!(gpu_common::gpu);
