//! The learning scenarios of `engine::testing` on the GPU backend (lavapipe natively): the same
//! experiments, specs and thresholds as on the CPU.

mod gpu_common;

engine::learning_tests!(gpu_common::gpu);
