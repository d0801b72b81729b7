//! The convolutional and recurrent learning scenarios of [`engine::testing::layers`] on the CPU.

engine::layer_learning_tests!(engine::backend::cpu::CpuBackend::new);
