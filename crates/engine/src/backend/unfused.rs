//! The fused layer ops of [`Backend`] as sequences of its plain ops: the trait's default bodies
//! (so the CPU runs exactly these), and what a backend that fuses falls back to where a fused
//! kernel does not apply (an activation it cannot fold, views in buffers the kernel cannot bind).

use super::{ActOp, Backend, ConvGrad, DenseGrad, Gemm, RnnCell, View};
use crate::activation::Activation;
use crate::error::Result;

/// See [`Backend::dense_forward`].
#[allow(clippy::too_many_arguments)]
pub fn dense_forward<B: Backend + ?Sized>(
    b: &mut B,
    g: Gemm,
    act: Activation,
    x: &View<B::Buffer>,
    weight: &View<B::Buffer>,
    bias: &View<B::Buffer>,
    z: &View<B::Buffer>,
    y: &View<B::Buffer>,
) -> Result<()> {
    b.gemm(g, x, weight, Some(bias), z)?;
    b.act_forward(ActOp { act, rows: g.m, cols: g.n }, z, None, y)
}

/// See [`Backend::dense_backward`].
pub fn dense_backward<B: Backend + ?Sized>(b: &mut B, d: DenseGrad<'_, B::Buffer>) -> Result<()> {
    let dz = if d.act == Activation::Linear {
        d.dy.clone()
    } else {
        let op = ActOp { act: d.act, rows: d.rows, cols: d.units };
        b.act_backward(op, d.z, d.y, d.dy, None, d.dz, None)?;
        d.dz.clone()
    };
    let gw = Gemm { m: d.units, n: d.fan_in, k: d.rows, trans_a: true, trans_b: false, accumulate: false };
    b.gemm(gw, &dz, d.x, None, d.dweight)?;
    b.col_sum(&dz, d.rows, d.units, d.dbias, false)?;
    if let Some(dx) = d.dx {
        let gx = Gemm { m: d.rows, n: d.fan_in, k: d.units, trans_a: false, trans_b: false, accumulate: false };
        b.gemm(gx, &dz, d.weight, None, dx)?;
    }
    Ok(())
}

/// See [`Backend::conv2d_forward_act`].
#[allow(clippy::too_many_arguments)]
pub fn conv2d_forward_act<B: Backend + ?Sized>(
    b: &mut B,
    op: super::Conv2d,
    act: Activation,
    x: &View<B::Buffer>,
    weight: &View<B::Buffer>,
    bias: &View<B::Buffer>,
    z: &View<B::Buffer>,
    y: &View<B::Buffer>,
) -> Result<()> {
    b.conv2d_forward(op, x, weight, Some(bias), z)?;
    let per_sample = op.out_channels * op.out_height() * op.out_width();
    b.act_forward(ActOp { act, rows: op.batch, cols: per_sample }, z, None, y)
}

/// See [`Backend::conv2d_backward`].
pub fn conv2d_backward<B: Backend + ?Sized>(b: &mut B, d: ConvGrad<'_, B::Buffer>) -> Result<()> {
    let dz = if d.act == Activation::Linear {
        d.dy.clone()
    } else {
        let per_sample = d.op.out_channels * d.op.out_height() * d.op.out_width();
        let op = ActOp { act: d.act, rows: d.op.batch, cols: per_sample };
        b.act_backward(op, d.z, d.y, d.dy, None, d.dz, None)?;
        d.dz.clone()
    };
    b.conv2d_backward_params(d.op, d.x, &dz, d.dweight, None)?;
    b.conv2d_backward_bias(d.op, &dz, d.dbias)?;
    if let Some(dx) = d.dx {
        b.conv2d_backward_data(d.op, &dz, d.weight, dx)?;
    }
    Ok(())
}

/// See [`Backend::lstm_step_forward`].
pub fn lstm_step_forward<B: Backend + ?Sized>(
    b: &mut B,
    cell: RnnCell,
    gates: &View<B::Buffer>,
    c: &View<B::Buffer>,
    h: &View<B::Buffer>,
    w_hh: &View<B::Buffer>,
    b_hh: &View<B::Buffer>,
) -> Result<()> {
    let s = cell.state_len();
    let g = Gemm { m: cell.batch, n: 4 * cell.hidden, k: cell.hidden, trans_a: false, trans_b: true, accumulate: true };
    b.gemm(g, &h.sub(0, s), w_hh, Some(b_hh), gates)?;
    b.lstm_cell_forward(cell, gates, c, &h.sub(s, s))
}

/// See [`Backend::lstm_step_backward`].
#[allow(clippy::too_many_arguments)]
pub fn lstm_step_backward<B: Backend + ?Sized>(
    b: &mut B,
    cell: RnnCell,
    gates: &View<B::Buffer>,
    next_gates: Option<&View<B::Buffer>>,
    c: &View<B::Buffer>,
    dh: &View<B::Buffer>,
    dc: &View<B::Buffer>,
    w_hh: &View<B::Buffer>,
) -> Result<()> {
    if let Some(ng) = next_gates {
        let g = Gemm { m: cell.batch, n: cell.hidden, k: 4 * cell.hidden, trans_a: false, trans_b: false, accumulate: true };
        b.gemm(g, ng, w_hh, None, dh)?;
    }
    b.lstm_cell_backward(cell, gates, c, dh, dc)
}

/// See [`Backend::rnn_step_forward`].
pub fn rnn_step_forward<B: Backend + ?Sized>(
    b: &mut B,
    cell: RnnCell,
    gates: &View<B::Buffer>,
    h: &View<B::Buffer>,
    w_hh: &View<B::Buffer>,
    b_hh: &View<B::Buffer>,
) -> Result<()> {
    let s = cell.state_len();
    let g = Gemm { m: cell.batch, n: cell.hidden, k: cell.hidden, trans_a: false, trans_b: true, accumulate: true };
    b.gemm(g, &h.sub(0, s), w_hh, Some(b_hh), gates)?;
    b.act_forward(ActOp { act: Activation::Tanh, rows: cell.batch, cols: cell.hidden }, gates, None, &h.sub(s, s))
}

/// See [`Backend::rnn_step_backward`].
#[allow(clippy::too_many_arguments)]
pub fn rnn_step_backward<B: Backend + ?Sized>(
    b: &mut B,
    cell: RnnCell,
    gates: &View<B::Buffer>,
    next_d: Option<&View<B::Buffer>>,
    h: &View<B::Buffer>,
    dh: &View<B::Buffer>,
    d: &View<B::Buffer>,
    w_hh: &View<B::Buffer>,
) -> Result<()> {
    if let Some(nd) = next_d {
        let g = Gemm { m: cell.batch, n: cell.hidden, k: cell.hidden, trans_a: false, trans_b: false, accumulate: true };
        b.gemm(g, nd, w_hh, None, dh)?;
    }
    let op = ActOp { act: Activation::Tanh, rows: cell.batch, cols: cell.hidden };
    b.act_backward(op, gates, h, dh, None, d, None)
}

/// See [`Backend::gru_step_forward`].
pub fn gru_step_forward<B: Backend + ?Sized>(
    b: &mut B,
    cell: RnnCell,
    gates: &View<B::Buffer>,
    hp: &View<B::Buffer>,
    h: &View<B::Buffer>,
    w_hh: &View<B::Buffer>,
    b_hh: &View<B::Buffer>,
) -> Result<()> {
    let s = cell.state_len();
    let g = Gemm { m: cell.batch, n: 3 * cell.hidden, k: cell.hidden, trans_a: false, trans_b: true, accumulate: false };
    b.gemm(g, &h.sub(0, s), w_hh, Some(b_hh), hp)?;
    b.gru_cell_forward(cell, gates, hp, h)
}
