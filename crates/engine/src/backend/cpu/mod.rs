//! CPU backend: the reference implementation of [`Backend`], and the browser's fallback when
//! WebGPU is missing.
//!
//! Ops run at once when recorded, so [`Backend::submit`] has nothing to do and [`Backend::read`]
//! returns a ready future. Every op checks its views (in range, right lengths, written views not
//! sharing a buffer with the op's other views) and returns an [`EngineError`] instead of
//! panicking. The kernels are generic over [`crate::real::Real`] and public, so tests can run the
//! same loops in `f64`.

pub mod act;
pub mod conv;
pub mod fastmath;
pub mod gemm;
pub mod loss;
pub mod optim;
pub mod rnn;

use std::cell::{Ref, RefCell, RefMut};
use std::fmt;
use std::future::{Future, ready};
use std::rc::Rc;

use crate::activation::Activation;
use crate::backend::{ActOp, Backend, Conv2d, Gemm, LossOp, Pool2d, RnnCell, View};
use crate::error::{EngineError, Result};
use crate::loss::LossKind;
use crate::optim::OptimStep;

/// A CPU buffer: a shared, growable-never vector of floats. Cloning clones the handle.
#[derive(Clone)]
pub struct CpuBuffer(Rc<RefCell<Vec<f32>>>);

impl fmt::Debug for CpuBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.try_borrow() {
            Ok(v) => write!(f, "CpuBuffer({} floats)", v.len()),
            Err(_) => write!(f, "CpuBuffer(in use)"),
        }
    }
}

/// The CPU backend. It holds no state: buffers own their memory.
#[derive(Clone, Debug, Default)]
pub struct CpuBackend;

impl CpuBackend {
    pub fn new() -> Self {
        CpuBackend
    }
}

type V = View<CpuBuffer>;

/// Borrows a view for reading, after checking its range and length.
fn rd<'a>(op: &'static str, what: &str, v: &'a V, len: usize) -> Result<Ref<'a, [f32]>> {
    let b = v.buf.0.try_borrow().map_err(|_| alias(op, what))?;
    let range = range(op, what, v, len, b.len())?;
    Ok(Ref::map(b, |b| &b[range]))
}

/// Borrows a view for writing; fails if any other view of the op is borrowed from the same buffer.
fn wr<'a>(op: &'static str, what: &str, v: &'a V, len: usize) -> Result<RefMut<'a, [f32]>> {
    let b = v.buf.0.try_borrow_mut().map_err(|_| alias(op, what))?;
    let range = range(op, what, v, len, b.len())?;
    Ok(RefMut::map(b, |b| &mut b[range]))
}

fn range(op: &'static str, what: &str, v: &V, len: usize, buf_len: usize) -> Result<std::ops::Range<usize>> {
    if v.len != len {
        return Err(EngineError::Shape { op, detail: format!("`{what}` has {} floats, expected {len}", v.len) });
    }
    match v.offset.checked_add(len) {
        Some(end) if end <= buf_len => Ok(v.offset..end),
        _ => Err(EngineError::Shape {
            op,
            detail: format!("`{what}` [{}..+{len}] lies outside its buffer of {buf_len} floats", v.offset),
        }),
    }
}

fn alias(op: &'static str, what: &str) -> EngineError {
    EngineError::Shape { op, detail: format!("`{what}` is written but shares a buffer with another view of the op") }
}

fn check_act(op: &'static str, a: &ActOp) -> Result<usize> {
    a.act.validate()?;
    let fan = a.act.fan();
    if fan == 0 || !a.cols.is_multiple_of(fan) {
        return Err(EngineError::Shape {
            op,
            detail: format!("maxout: {} columns are not a multiple of {fan} pieces", a.cols),
        });
    }
    if matches!(a.act, Activation::Softmax) && a.cols == 0 && a.rows > 0 {
        return Err(EngineError::Shape { op, detail: "softmax over zero columns".into() });
    }
    Ok(a.cols / fan)
}

fn check_targets(op: &'static str, l: &LossOp, target: &[f32]) -> Result<()> {
    if l.kind == LossKind::SoftmaxCrossEntropy {
        for (r, &t) in target.iter().enumerate() {
            if !(t >= 0.0 && (t as usize) < l.cols && t.fract() == 0.0) {
                return Err(EngineError::Shape {
                    op,
                    detail: format!("target of row {r} is {t}, not a class index below {}", l.cols),
                });
            }
        }
    }
    Ok(())
}

fn target_len(l: &LossOp) -> usize {
    match l.kind {
        LossKind::SoftmaxCrossEntropy => l.rows,
        _ => l.rows * l.cols,
    }
}

impl Backend for CpuBackend {
    type Buffer = CpuBuffer;

    fn describe(&self) -> String {
        "CPU".to_string()
    }

    fn alloc(&mut self, len: usize) -> Result<CpuBuffer> {
        let mut v = Vec::new();
        v.try_reserve_exact(len)
            .map_err(|_| EngineError::Unsupported(format!("a buffer of {len} floats (out of memory)")))?;
        v.resize(len, 0.0);
        Ok(CpuBuffer(Rc::new(RefCell::new(v))))
    }

    fn write(&mut self, dst: &V, data: &[f32]) -> Result<()> {
        wr("write", "dst", dst, data.len())?.copy_from_slice(data);
        Ok(())
    }

    fn fill(&mut self, dst: &V, value: f32) -> Result<()> {
        wr("fill", "dst", dst, dst.len)?.fill(value);
        Ok(())
    }

    fn copy(&mut self, src: &V, dst: &V) -> Result<()> {
        if Rc::ptr_eq(&src.buf.0, &dst.buf.0) {
            // Same buffer: allowed for disjoint ranges, as the contract says.
            let mut b = dst.buf.0.try_borrow_mut().map_err(|_| alias("copy", "dst"))?;
            let blen = b.len();
            let s = range("copy", "src", src, src.len, blen)?;
            let d = range("copy", "dst", dst, src.len, blen)?;
            if s.start < d.end && d.start < s.end {
                return Err(EngineError::Shape { op: "copy", detail: "source and destination overlap".into() });
            }
            b.copy_within(s, d.start);
            return Ok(());
        }
        let s = rd("copy", "src", src, src.len)?;
        wr("copy", "dst", dst, src.len)?.copy_from_slice(&s);
        Ok(())
    }

    fn submit(&mut self) -> Result<()> {
        Ok(())
    }

    fn read(&mut self, src: &V) -> impl Future<Output = Result<Vec<f32>>> {
        ready(rd("read", "src", src, src.len).map(|s| s.to_vec()))
    }

    fn gemm(&mut self, g: Gemm, a: &V, b: &V, bias: Option<&V>, c: &V) -> Result<()> {
        let av = rd("gemm", "a", a, g.m * g.k)?;
        let bv = rd("gemm", "b", b, g.k * g.n)?;
        let biasv = bias.map(|v| rd("gemm", "bias", v, g.n)).transpose()?;
        let mut cv = wr("gemm", "c", c, g.m * g.n)?;
        gemm::gemm(g, &av, &bv, biasv.as_deref(), &mut cv);
        Ok(())
    }

    fn act_forward(&mut self, op: ActOp, x: &V, alpha: Option<&V>, y: &V) -> Result<()> {
        let out_cols = check_act("act_forward", &op)?;
        let xv = rd("act_forward", "x", x, op.rows * op.cols)?;
        let av = prelu_alpha("act_forward", &op, alpha)?;
        let mut yv = wr("act_forward", "y", y, op.rows * out_cols)?;
        act::forward(op.act, op.rows, op.cols, &xv, av.as_deref(), &mut yv);
        Ok(())
    }

    fn act_backward(&mut self, op: ActOp, x: &V, y: &V, dy: &V, alpha: Option<&V>, dx: &V, dalpha: Option<&V>) -> Result<()> {
        const OP: &str = "act_backward";
        let out_cols = check_act(OP, &op)?;
        let xv = rd(OP, "x", x, op.rows * op.cols)?;
        let yv = rd(OP, "y", y, op.rows * out_cols)?;
        let dyv = rd(OP, "dy", dy, op.rows * out_cols)?;
        let av = prelu_alpha(OP, &op, alpha)?;
        let mut dxv = wr(OP, "dx", dx, op.rows * op.cols)?;
        let mut dav = match (op.act, dalpha) {
            (Activation::Prelu, Some(d)) => Some(wr(OP, "dalpha", d, op.cols)?),
            _ => None,
        };
        act::backward(op.act, op.rows, op.cols, &xv, &yv, &dyv, av.as_deref(), &mut dxv, dav.as_deref_mut());
        Ok(())
    }

    fn col_sum(&mut self, x: &V, rows: usize, cols: usize, out: &V, accumulate: bool) -> Result<()> {
        let xv = rd("col_sum", "x", x, rows * cols)?;
        let mut ov = wr("col_sum", "out", out, cols)?;
        if !accumulate {
            ov.fill(0.0);
        }
        for row in xv.chunks_exact(cols.max(1)) {
            for (o, &v) in ov.iter_mut().zip(row) {
                *o += v;
            }
        }
        Ok(())
    }

    fn loss(&mut self, op: LossOp, pred: &V, target: &V, dpred: &V, loss: &V) -> Result<()> {
        if op.rows == 0 || op.cols == 0 {
            return Err(EngineError::Shape { op: "loss", detail: "empty batch".into() });
        }
        let pv = rd("loss", "pred", pred, op.rows * op.cols)?;
        let tv = rd("loss", "target", target, target_len(&op))?;
        check_targets("loss", &op, &tv)?;
        let mut dv = wr("loss", "dpred", dpred, op.rows * op.cols)?;
        let value = loss::loss(op.kind, op.rows, op.cols, &pv, &tv, &mut dv);
        drop(dv);
        wr("loss", "loss", &loss.sub(0, 1.min(loss.len)), 1)?[0] = value;
        Ok(())
    }

    fn count_correct(&mut self, op: LossOp, pred: &V, target: &V, out: &V) -> Result<()> {
        let pv = rd("count_correct", "pred", pred, op.rows * op.cols)?;
        let tv = rd("count_correct", "target", target, target_len(&op))?;
        let n = loss::count_correct(op.kind, op.rows, op.cols, &pv, &tv);
        wr("count_correct", "out", &out.sub(0, 1.min(out.len)), 1)?[0] = n as f32;
        Ok(())
    }

    fn gather_rows(&mut self, src: &V, cols: usize, index: &V, dst: &V) -> Result<()> {
        const OP: &str = "gather_rows";
        if cols == 0 || !src.len.is_multiple_of(cols) {
            return Err(EngineError::Shape { op: OP, detail: format!("source of {} floats is not rows of {cols}", src.len) });
        }
        let src_rows = src.len / cols;
        let sv = rd(OP, "src", src, src.len)?;
        let iv = rd(OP, "index", index, index.len)?;
        let mut dv = wr(OP, "dst", dst, index.len * cols)?;
        for (r, (&i, drow)) in iv.iter().zip(dv.chunks_exact_mut(cols)).enumerate() {
            if !(i >= 0.0 && (i as usize) < src_rows && i.fract() == 0.0) {
                return Err(EngineError::Shape { op: OP, detail: format!("index {i} of row {r} is outside 0..{src_rows}") });
            }
            let i = i as usize;
            drow.copy_from_slice(&sv[i * cols..(i + 1) * cols]);
        }
        Ok(())
    }

    fn optim_step(&mut self, step: &OptimStep, param: &V, grad: &V, m: &V, v: &V) -> Result<()> {
        const OP: &str = "optim_step";
        let n = param.len;
        let gv = rd(OP, "grad", grad, n)?;
        let mut pv = wr(OP, "param", param, n)?;
        // Plain SGD needs no state: accept any views there (the trainer passes empty ones).
        let needs_m = !matches!(step.kind, crate::optim::OptimKind::Sgd);
        let needs_v = matches!(step.kind, crate::optim::OptimKind::Adam);
        let mut mv = if needs_m { Some(wr(OP, "m", m, n)?) } else { None };
        let mut vv = if needs_v { Some(wr(OP, "v", v, n)?) } else { None };
        optim::step(step, &mut pv, &gv, mv.as_deref_mut().unwrap_or(&mut []), vv.as_deref_mut().unwrap_or(&mut []));
        Ok(())
    }

    fn conv2d_forward(&mut self, op: Conv2d, x: &V, weight: &V, bias: Option<&V>, y: &V) -> Result<()> {
        const OP: &str = "conv2d_forward";
        check_conv(OP, &op)?;
        let xv = rd(OP, "x", x, op.x_len())?;
        let wv = rd(OP, "weight", weight, op.weight_len())?;
        let bv = bias.map(|b| rd(OP, "bias", b, op.out_channels)).transpose()?;
        let mut yv = wr(OP, "y", y, op.y_len())?;
        conv::conv2d_forward(&op, &xv, &wv, bv.as_deref(), &mut yv);
        Ok(())
    }

    fn conv2d_backward_data(&mut self, op: Conv2d, dy: &V, weight: &V, dx: &V) -> Result<()> {
        const OP: &str = "conv2d_backward_data";
        check_conv(OP, &op)?;
        let dyv = rd(OP, "dy", dy, op.y_len())?;
        let wv = rd(OP, "weight", weight, op.weight_len())?;
        let mut dxv = wr(OP, "dx", dx, op.x_len())?;
        conv::conv2d_backward_data(&op, &dyv, &wv, &mut dxv);
        Ok(())
    }

    fn conv2d_backward_params(&mut self, op: Conv2d, x: &V, dy: &V, dweight: &V, dbias: Option<&V>) -> Result<()> {
        const OP: &str = "conv2d_backward_params";
        check_conv(OP, &op)?;
        let xv = rd(OP, "x", x, op.x_len())?;
        let dyv = rd(OP, "dy", dy, op.y_len())?;
        let mut dwv = wr(OP, "dweight", dweight, op.weight_len())?;
        let mut dbv = dbias.map(|b| wr(OP, "dbias", b, op.out_channels)).transpose()?;
        conv::conv2d_backward_weight(&op, &xv, &dyv, &mut dwv);
        if let Some(db) = dbv.as_deref_mut() {
            conv::conv2d_backward_bias(&op, &dyv, db);
        }
        Ok(())
    }

    fn conv2d_backward_bias(&mut self, op: Conv2d, dy: &V, dbias: &V) -> Result<()> {
        const OP: &str = "conv2d_backward_bias";
        check_conv(OP, &op)?;
        let dyv = rd(OP, "dy", dy, op.y_len())?;
        let mut dbv = wr(OP, "dbias", dbias, op.out_channels)?;
        conv::conv2d_backward_bias(&op, &dyv, &mut dbv);
        Ok(())
    }

    fn maxpool2d_forward(&mut self, op: Pool2d, x: &V, y: &V, argmax: &V) -> Result<()> {
        const OP: &str = "maxpool2d_forward";
        check_pool(OP, &op)?;
        let xv = rd(OP, "x", x, op.x_len())?;
        let mut yv = wr(OP, "y", y, op.y_len())?;
        let mut av = wr(OP, "argmax", argmax, op.y_len())?;
        conv::maxpool2d_forward(&op, &xv, &mut yv, &mut av);
        Ok(())
    }

    fn maxpool2d_backward(&mut self, op: Pool2d, dy: &V, argmax: &V, dx: &V) -> Result<()> {
        const OP: &str = "maxpool2d_backward";
        check_pool(OP, &op)?;
        let dyv = rd(OP, "dy", dy, op.y_len())?;
        let av = rd(OP, "argmax", argmax, op.y_len())?;
        let mut dxv = wr(OP, "dx", dx, op.x_len())?;
        conv::maxpool2d_backward(&op, &dyv, &av, &mut dxv);
        Ok(())
    }

    fn avgpool2d_forward(&mut self, op: Pool2d, x: &V, y: &V) -> Result<()> {
        const OP: &str = "avgpool2d_forward";
        check_pool(OP, &op)?;
        let xv = rd(OP, "x", x, op.x_len())?;
        let mut yv = wr(OP, "y", y, op.y_len())?;
        conv::avgpool2d_forward(&op, &xv, &mut yv);
        Ok(())
    }

    fn avgpool2d_backward(&mut self, op: Pool2d, dy: &V, dx: &V) -> Result<()> {
        const OP: &str = "avgpool2d_backward";
        check_pool(OP, &op)?;
        let dyv = rd(OP, "dy", dy, op.y_len())?;
        let mut dxv = wr(OP, "dx", dx, op.x_len())?;
        conv::avgpool2d_backward(&op, &dyv, &mut dxv);
        Ok(())
    }

    fn lstm_cell_forward(&mut self, cell: RnnCell, gates: &V, c: &V, h: &V) -> Result<()> {
        const OP: &str = "lstm_cell_forward";
        let s = cell.state_len();
        let mut gv = wr(OP, "gates", gates, 4 * s)?;
        let mut cv = wr(OP, "c", c, 2 * s)?;
        let mut hv = wr(OP, "h", h, s)?;
        rnn::lstm_forward(&cell, &mut gv, &mut cv, &mut hv);
        Ok(())
    }

    fn lstm_cell_backward(&mut self, cell: RnnCell, gates: &V, c: &V, dh: &V, dc: &V) -> Result<()> {
        const OP: &str = "lstm_cell_backward";
        let s = cell.state_len();
        let cv = rd(OP, "c", c, 2 * s)?;
        let dhv = rd(OP, "dh", dh, s)?;
        let mut gv = wr(OP, "gates", gates, 4 * s)?;
        let mut dcv = wr(OP, "dc", dc, s)?;
        rnn::lstm_backward(&cell, &mut gv, &cv, &dhv, &mut dcv);
        Ok(())
    }

    // The trait's default, except that `dh` and `dc` may share a buffer (the recurrent layer keeps
    // them in one, so that the GPU's fused kernel binds at most four buffers): the shared buffer
    // is borrowed once and split, so nothing is allocated.
    fn lstm_step_backward(&mut self, cell: RnnCell, gates: &V, next_gates: Option<&V>, c: &V, dh: &V, dc: &V, w_hh: &V) -> Result<()> {
        const OP: &str = "lstm_step_backward";
        if let Some(ng) = next_gates {
            let g = Gemm { m: cell.batch, n: cell.hidden, k: 4 * cell.hidden, trans_a: false, trans_b: false, accumulate: true };
            self.gemm(g, ng, w_hh, None, dh)?;
        }
        if !Rc::ptr_eq(&dh.buf.0, &dc.buf.0) {
            return self.lstm_cell_backward(cell, gates, c, dh, dc);
        }
        let s = cell.state_len();
        let cv = rd(OP, "c", c, 2 * s)?;
        let mut gv = wr(OP, "gates", gates, 4 * s)?;
        let mut both = dh.buf.0.try_borrow_mut().map_err(|_| alias(OP, "dh"))?;
        let len = both.len();
        range(OP, "dh", dh, s, len)?;
        range(OP, "dc", dc, s, len)?;
        if dh.offset < dc.offset + s && dc.offset < dh.offset + s && s > 0 {
            return Err(alias(OP, "dc"));
        }
        let (dhv, dcv) = if dh.offset < dc.offset {
            let (lo, hi) = both.split_at_mut(dc.offset);
            (&lo[dh.offset..dh.offset + s], &mut hi[..s])
        } else {
            let (lo, hi) = both.split_at_mut(dh.offset);
            (&hi[..s], &mut lo[dc.offset..dc.offset + s])
        };
        rnn::lstm_backward(&cell, &mut gv, &cv, dhv, dcv);
        Ok(())
    }

    fn gru_cell_forward(&mut self, cell: RnnCell, gates: &V, hp: &V, h: &V) -> Result<()> {
        const OP: &str = "gru_cell_forward";
        let s = cell.state_len();
        let pv = rd(OP, "hp", hp, 3 * s)?;
        let mut gv = wr(OP, "gates", gates, 3 * s)?;
        let mut hv = wr(OP, "h", h, 2 * s)?;
        rnn::gru_forward(&cell, &mut gv, &pv, &mut hv);
        Ok(())
    }

    fn gru_cell_backward(&mut self, cell: RnnCell, gates: &V, hp: &V, h_prev: &V, dh: &V) -> Result<()> {
        const OP: &str = "gru_cell_backward";
        let s = cell.state_len();
        let hv = rd(OP, "h_prev", h_prev, s)?;
        let mut gv = wr(OP, "gates", gates, 3 * s)?;
        let mut pv = wr(OP, "hp", hp, 3 * s)?;
        let mut dv = wr(OP, "dh", dh, 2 * s)?;
        rnn::gru_backward(&cell, &mut gv, &mut pv, &hv, &mut dv);
        Ok(())
    }
}

fn check_conv(op: &'static str, c: &Conv2d) -> Result<()> {
    if c.out_height() == 0 || c.out_width() == 0 || c.in_channels == 0 || c.out_channels == 0 {
        return Err(EngineError::Shape {
            op,
            detail: format!(
                "a {}x{} kernel with stride {:?} and padding {:?} does not fit a {}x{} input of {} channels",
                c.kernel[0], c.kernel[1], c.stride, c.padding, c.height, c.width, c.in_channels
            ),
        });
    }
    Ok(())
}

fn check_pool(op: &'static str, p: &Pool2d) -> Result<()> {
    if p.out_height() == 0 || p.out_width() == 0 {
        return Err(EngineError::Shape {
            op,
            detail: format!("a {}x{} window with stride {:?} does not fit a {}x{} input", p.kernel[0], p.kernel[1], p.stride, p.height, p.width),
        });
    }
    Ok(())
}

fn prelu_alpha<'a>(op: &'static str, a: &ActOp, alpha: Option<&'a V>) -> Result<Option<Ref<'a, [f32]>>> {
    match (a.act, alpha) {
        (Activation::Prelu, Some(al)) => Ok(Some(rd(op, "alpha", al, a.cols)?)),
        (Activation::Prelu, None) => Err(EngineError::Shape { op, detail: "prelu needs its slopes `alpha`".into() }),
        _ => Ok(None),
    }
}
