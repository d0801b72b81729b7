//! CPU backend: the reference implementation (filled in by the engine work).
