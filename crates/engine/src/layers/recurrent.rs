//! Recurrent layers (`torch.nn.RNN` with tanh, `nn.LSTM`, `nn.GRU`; one layer, batch first) run
//! through the backend's ops: one `gemm` for every step's input projection, then per step a
//! `gemm` for the hidden projection and a cell op (see [`crate::backend::RnnCell`]).
//!
//! Parameters are views into the model's flat buffer, laid out
//! `weight_ih [G·H, I] | weight_hh [G·H, H] | bias_ih [G·H] | bias_hh [G·H]` with gate rows in
//! PyTorch's order (G = 1, 4 (i, f, g, o), 3 (r, z, n)). Internally everything is time-major
//! (`[T, N, ·]`, step `t`'s rows contiguous); `gather_rows` converts from and to batch-first.

use std::cell::Cell;

use crate::backend::{Backend, Gemm, RnnCell, View};
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Which recurrent cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.
    Rnn,
    Lstm,
    Gru,
}

impl CellKind {
    /// Gate blocks per unit: 1, 4, 3.
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }

    /// Parameters of a layer with `input` features and `hidden` units.
    pub fn param_count(self, input: usize, hidden: usize) -> usize {
        let gh = self.gates() * hidden;
        gh * input + gh * hidden + 2 * gh
    }
}

fn v<Bf: Clone>(buf: &Bf, offset: usize, len: usize) -> View<Bf> {
    View { buf: buf.clone(), offset, len }
}

/// One recurrent layer over sequences of `steps` steps, with scratch for `capacity` sequences.
pub struct Recurrent<B: Backend> {
    pub kind: CellKind,
    pub input: usize,
    pub hidden: usize,
    pub steps: usize,
    /// Whether the output is every step's `h` (`[N, T, H]`) or the last one (`[N, H]`).
    pub return_sequences: bool,
    /// Offset of this layer's parameters in the flat buffer.
    pub offset: usize,
    w_ih: View<B::Buffer>,
    w_hh: View<B::Buffer>,
    b_ih: View<B::Buffer>,
    b_hh: View<B::Buffer>,
    dw_ih: View<B::Buffer>,
    dw_hh: View<B::Buffer>,
    db_ih: View<B::Buffer>,
    db_hh: View<B::Buffer>,
    /// `[T·N, I]` time-major input.
    xt: B::Buffer,
    /// `[T·N, G·H]`: pre-activations, then activated gates, then their gradients.
    gates: B::Buffer,
    /// GRU: `[T·N, 3H]` hidden projections, then their gradients.
    hp: B::Buffer,
    /// RNN: `[T·N, H]` pre-activation gradients.
    dpre: B::Buffer,
    /// `[(T+1)·N, H]`: `h_0 … h_T`.
    hs: B::Buffer,
    /// LSTM: `[(T+1)·N, H]`: `c_0 … c_T`.
    cs: B::Buffer,
    /// `[(T+2)·N, H]`: gradient reaching `h_0 … h_T`, then (LSTM) the gradient reaching the
    /// current `c` (in one buffer so that the fused LSTM step binds at most four).
    dhs: B::Buffer,
    /// `[T·N, I]` time-major input gradient.
    dxt: B::Buffer,
    /// Batch-first output `[N, T, H]` (return_sequences).
    y: B::Buffer,
    /// Gradient with respect to the output.
    dy: B::Buffer,
    /// Row permutations batch-first → time-major and back, for `rows_cached` sequences.
    to_time: B::Buffer,
    to_batch: B::Buffer,
    rows_cached: Cell<usize>,
}

impl<B: Backend> Recurrent<B> {
    /// A layer whose parameters start `offset` floats into `params` (and `grads`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        backend: &mut B,
        kind: CellKind,
        input: usize,
        hidden: usize,
        steps: usize,
        return_sequences: bool,
        params: &B::Buffer,
        grads: &B::Buffer,
        offset: usize,
        capacity: usize,
    ) -> Result<Self> {
        let gh = kind.gates() * hidden;
        let (o_hh, o_bih) = (gh * input, gh * input + gh * hidden);
        let o_bhh = o_bih + gh;
        let tn = steps * capacity;
        let state = (steps + 1) * capacity * hidden;
        let one = |b: &mut B| b.alloc(1);
        Ok(Recurrent {
            kind,
            input,
            hidden,
            steps,
            return_sequences,
            offset,
            w_ih: v(params, offset, gh * input),
            w_hh: v(params, offset + o_hh, gh * hidden),
            b_ih: v(params, offset + o_bih, gh),
            b_hh: v(params, offset + o_bhh, gh),
            dw_ih: v(grads, offset, gh * input),
            dw_hh: v(grads, offset + o_hh, gh * hidden),
            db_ih: v(grads, offset + o_bih, gh),
            db_hh: v(grads, offset + o_bhh, gh),
            xt: backend.alloc(tn * input)?,
            gates: backend.alloc(tn * gh)?,
            hp: if kind == CellKind::Gru { backend.alloc(tn * gh)? } else { one(backend)? },
            dpre: if kind == CellKind::Rnn { backend.alloc(tn * hidden)? } else { one(backend)? },
            hs: backend.alloc(state)?,
            cs: if kind == CellKind::Lstm { backend.alloc(state)? } else { one(backend)? },
            dhs: backend.alloc(state + capacity * hidden)?,
            dxt: backend.alloc(tn * input)?,
            y: if return_sequences { backend.alloc(tn * hidden)? } else { one(backend)? },
            dy: backend.alloc(if return_sequences { tn * hidden } else { capacity * hidden })?,
            to_time: backend.alloc(tn)?,
            to_batch: backend.alloc(tn)?,
            rows_cached: Cell::new(0),
        })
    }

    /// Width of one output row: `T·H` with `return_sequences`, else `H`.
    pub fn output_width(&self) -> usize {
        if self.return_sequences { self.steps * self.hidden } else { self.hidden }
    }

    /// `(weight_ih, weight_hh, bias_ih, bias_hh)`.
    pub fn param_views(&self) -> [&View<B::Buffer>; 4] {
        [&self.w_ih, &self.w_hh, &self.b_ih, &self.b_hh]
    }

    /// `(weight_ih, weight_hh, bias_ih, bias_hh)` gradients.
    pub fn grad_views(&self) -> [&View<B::Buffer>; 4] {
        [&self.dw_ih, &self.dw_hh, &self.db_ih, &self.db_hh]
    }

    /// The output of the last forward over `rows` sequences.
    pub fn output(&self, rows: usize) -> View<B::Buffer> {
        if self.return_sequences {
            v(&self.y, 0, rows * self.steps * self.hidden)
        } else {
            self.h_state(rows, self.steps)
        }
    }

    /// Where the gradient with respect to the output goes.
    pub fn output_grad(&self, rows: usize) -> View<B::Buffer> {
        v(&self.dy, 0, rows * self.output_width())
    }

    /// `h_t` (time-major slot `t`, `h_0` at 0) of the last forward.
    pub fn h_state(&self, rows: usize, t: usize) -> View<B::Buffer> {
        v(&self.hs, t * rows * self.hidden, rows * self.hidden)
    }

    /// `c_t` of the last forward (LSTM).
    pub fn c_state(&self, rows: usize, t: usize) -> View<B::Buffer> {
        v(&self.cs, t * rows * self.hidden, rows * self.hidden)
    }

    /// The gradient reaching `h_t` (slot 0: `h_0`) after a backward; before
    /// [`Recurrent::backward_core`] slots `1..=T` hold the upstream gradient of each step's `h`.
    pub fn dh_state(&self, rows: usize, t: usize) -> View<B::Buffer> {
        v(&self.dhs, t * rows * self.hidden, rows * self.hidden)
    }

    /// The gradient reaching `c` (LSTM): set it to the upstream `c_T` gradient before
    /// [`Recurrent::backward_core`]; it holds the `c_0` gradient after.
    pub fn dc_state(&self, rows: usize) -> View<B::Buffer> {
        v(&self.dhs, (self.steps + 1) * rows * self.hidden, rows * self.hidden)
    }

    fn permutations(&self, backend: &mut B, rows: usize) -> Result<()> {
        if self.rows_cached.get() == rows {
            return Ok(());
        }
        let t = self.steps;
        let to_time: Vec<f32> = (0..t * rows).map(|r| ((r % rows) * t + r / rows) as f32).collect();
        let to_batch: Vec<f32> = (0..t * rows).map(|r| ((r % t) * rows + r / t) as f32).collect();
        backend.write(&v(&self.to_time, 0, t * rows), &to_time)?;
        backend.write(&v(&self.to_batch, 0, t * rows), &to_batch)?;
        self.rows_cached.set(rows);
        Ok(())
    }

    /// Records the forward pass over `rows` sequences `x [rows, T, I]`, from `h_0 = 0` (and
    /// `c_0 = 0`) unless [`Recurrent::forward_from`] is used.
    pub fn forward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>) -> Result<()> {
        self.forward_from(backend, rows, x, None, None)
    }

    /// Records the forward pass from given initial states (`[rows, H]` each; `None` = zeros).
    pub fn forward_from(
        &self,
        backend: &mut B,
        rows: usize,
        x: &View<B::Buffer>,
        h0: Option<&View<B::Buffer>>,
        c0: Option<&View<B::Buffer>>,
    ) -> Result<()> {
        let (t_len, h, i) = (self.steps, self.hidden, self.input);
        let gh = self.kind.gates() * h;
        let tn = t_len * rows;
        let s = rows * h;
        self.permutations(backend, rows)?;
        let xt = v(&self.xt, 0, tn * i);
        backend.gather_rows(x, i, &v(&self.to_time, 0, tn), &xt)?;
        let gates = v(&self.gates, 0, tn * gh);
        backend.gemm(Gemm { m: tn, n: gh, k: i, trans_a: false, trans_b: true, accumulate: false }, &xt, &self.w_ih, Some(&self.b_ih), &gates)?;
        match h0 {
            Some(h0) => backend.copy(h0, &self.h_state(rows, 0))?,
            None => backend.fill(&self.h_state(rows, 0), 0.0)?,
        }
        if self.kind == CellKind::Lstm {
            match c0 {
                Some(c0) => backend.copy(c0, &self.c_state(rows, 0))?,
                None => backend.fill(&self.c_state(rows, 0), 0.0)?,
            }
        }
        let cell = RnnCell { batch: rows, hidden: h };
        for t in 0..t_len {
            let g = v(&self.gates, t * rows * gh, rows * gh);
            match self.kind {
                CellKind::Rnn => {
                    backend.rnn_step_forward(cell, &g, &v(&self.hs, t * s, 2 * s), &self.w_hh, &self.b_hh)?;
                }
                CellKind::Lstm => {
                    backend.lstm_step_forward(cell, &g, &v(&self.cs, t * s, 2 * s), &v(&self.hs, t * s, 2 * s), &self.w_hh, &self.b_hh)?;
                }
                CellKind::Gru => {
                    let hp = v(&self.hp, t * rows * gh, rows * gh);
                    backend.gru_step_forward(cell, &g, &hp, &v(&self.hs, t * s, 2 * s), &self.w_hh, &self.b_hh)?;
                }
            }
        }
        if self.return_sequences {
            backend.gather_rows(&v(&self.hs, s, tn * h), h, &v(&self.to_batch, 0, tn), &self.output(rows))?;
        }
        Ok(())
    }

    /// Records the backward pass from the gradient in [`Recurrent::output_grad`] to the parameter
    /// gradients (overwritten) and, when `dx` is given, the input gradient `[rows, T, I]`.
    pub fn backward(&self, backend: &mut B, rows: usize, x: &View<B::Buffer>, dx: Option<&View<B::Buffer>>) -> Result<()> {
        let (t_len, h) = (self.steps, self.hidden);
        let tn = t_len * rows;
        let s = rows * h;
        let _ = x; // The time-major copy of `x` saved by the forward pass is used instead.
        // Every h slot and (LSTM) the c gradient after them: one clear.
        let zeroed = if self.kind == CellKind::Lstm { t_len + 2 } else { t_len + 1 };
        backend.fill(&v(&self.dhs, 0, zeroed * s), 0.0)?;
        if self.return_sequences {
            backend.gather_rows(&self.output_grad(rows), h, &v(&self.to_time, 0, tn), &v(&self.dhs, s, tn * h))?;
        } else {
            backend.copy(&self.output_grad(rows), &self.dh_state(rows, t_len))?;
        }
        self.backward_steps(backend, rows, dx, false)
    }

    /// The backward pass once [`Recurrent::dh_state`] slots `1..=T` (and slot 0 zeroed) and
    /// [`Recurrent::dc_state`] hold the upstream gradients. Afterwards slot 0 and `dc_state` hold
    /// the gradients of `h_0` and `c_0`.
    pub fn backward_core(&self, backend: &mut B, rows: usize, dx: Option<&View<B::Buffer>>) -> Result<()> {
        self.backward_steps(backend, rows, dx, true)
    }

    /// [`Recurrent::backward_core`]; without `need_h0` the LSTM may leave the `h_0` gradient
    /// (slot 0) as it was, which saves a product when nothing reads it (training from `h_0 = 0`).
    fn backward_steps(&self, backend: &mut B, rows: usize, dx: Option<&View<B::Buffer>>, need_h0: bool) -> Result<()> {
        let (t_len, h, i) = (self.steps, self.hidden, self.input);
        let gh = self.kind.gates() * h;
        let tn = t_len * rows;
        let s = rows * h;
        let cell = RnnCell { batch: rows, hidden: h };
        let back = Gemm { m: rows, n: h, k: gh, trans_a: false, trans_b: false, accumulate: true };
        let dpre_buf = if self.kind == CellKind::Rnn { &self.dpre } else { &self.gates };
        for t in (0..t_len).rev() {
            let g = v(&self.gates, t * rows * gh, rows * gh);
            let dh_prev = self.dh_state(rows, t);
            match self.kind {
                CellKind::Rnn => {
                    // As for the LSTM: step t+1's pre-activation gradient times W_hh completes
                    // the gradient reaching h_t, fusable with the cell.
                    let d = v(&self.dpre, t * s, s);
                    let next = (t + 1 < t_len).then(|| v(&self.dpre, (t + 1) * s, s));
                    backend.rnn_step_backward(cell, &g, next.as_ref(), &self.h_state(rows, t + 1), &self.dh_state(rows, t + 1), &d, &self.w_hh)?;
                    if t == 0 && need_h0 {
                        backend.gemm(back, &d, &self.w_hh, None, &dh_prev)?;
                    }
                }
                CellKind::Lstm => {
                    // The product of step t+1's gate gradients with W_hh completes the gradient
                    // reaching h_t; the backend may fuse it with the cell.
                    let next = (t + 1 < t_len).then(|| v(&self.gates, (t + 1) * rows * gh, rows * gh));
                    let c = v(&self.cs, t * s, 2 * s);
                    backend.lstm_step_backward(cell, &g, next.as_ref(), &c, &self.dh_state(rows, t + 1), &self.dc_state(rows), &self.w_hh)?;
                    if t == 0 && need_h0 {
                        backend.gemm(back, &g, &self.w_hh, None, &dh_prev)?;
                    }
                }
                CellKind::Gru => {
                    let hp = v(&self.hp, t * rows * gh, rows * gh);
                    backend.gru_cell_backward(cell, &g, &hp, &self.h_state(rows, t), &v(&self.dhs, t * s, 2 * s))?;
                    backend.gemm(back, &hp, &self.w_hh, None, &dh_prev)?;
                }
            }
        }
        let d = v(dpre_buf, 0, tn * gh);
        let dh_proj = if self.kind == CellKind::Gru { v(&self.hp, 0, tn * gh) } else { d.clone() };
        let xt = v(&self.xt, 0, tn * i);
        backend.gemm(Gemm { m: gh, n: i, k: tn, trans_a: true, trans_b: false, accumulate: false }, &d, &xt, None, &self.dw_ih)?;
        backend.gemm(Gemm { m: gh, n: h, k: tn, trans_a: true, trans_b: false, accumulate: false }, &dh_proj, &v(&self.hs, 0, tn * h), None, &self.dw_hh)?;
        backend.col_sum(&d, tn, gh, &self.db_ih, false)?;
        backend.col_sum(&dh_proj, tn, gh, &self.db_hh, false)?;
        if let Some(dx) = dx {
            let dxt = v(&self.dxt, 0, tn * i);
            backend.gemm(Gemm { m: tn, n: i, k: gh, trans_a: false, trans_b: false, accumulate: false }, &d, &self.w_ih, None, &dxt)?;
            backend.gather_rows(&dxt, i, &v(&self.to_batch, 0, tn), dx)?;
        }
        Ok(())
    }
}
