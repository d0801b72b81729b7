//! The learning scenarios of [`engine::testing`] on the CPU backend.

engine::learning_tests!(engine::backend::cpu::CpuBackend::new);
