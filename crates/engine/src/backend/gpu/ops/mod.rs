//! [`Backend`] for [`GpuBackend`]: checks every view against the op's shapes (a bad shape is an
//! [`EngineError::Shape`], never a device validation error), packs the op's sizes and offsets
//! into its uniform and records its kernels.

use std::future::Future;

use super::GpuBackend;
use super::buffer::GpuBuffer;
use super::kernels::Kernel;
use super::readback::read_f32;
use crate::activation::Activation;
use crate::backend::{ActOp, Backend, Conv2d, ConvGrad, DenseGrad, Gemm, LossOp, Pool2d, RnnCell, View, unfused};
use crate::error::{EngineError, Result};
use crate::loss::LossKind;
use crate::optim::{OptimKind, OptimStep};

type V = View<GpuBuffer>;

mod checks;
mod fused;

use checks::*;
use fused::*;

impl Backend for GpuBackend {
    type Buffer = GpuBuffer;

    fn describe(&self) -> String {
        format!("WebGPU: {}", self.adapter)
    }

    fn alloc(&mut self, len: usize) -> Result<GpuBuffer> {
        self.rec.new_buffer(len)
    }

    fn write(&mut self, dst: &V, data: &[f32]) -> Result<()> {
        sized("write", "dst", dst, data.len())?;
        self.rec.upload(&dst.buf, dst.offset, data)
    }

    fn fill(&mut self, dst: &V, value: f32) -> Result<()> {
        inside("fill", "dst", dst)?;
        if value.to_bits() == 0 {
            self.rec.clear(&dst.buf, dst.offset, dst.len);
            return Ok(());
        }
        let g = groups("fill", dst.len, 256)?;
        self.rec.dispatch(Kernel::Fill, &[u(dst.offset), u(dst.len), f(value)], &[&dst.buf], g)
    }

    fn copy(&mut self, src: &V, dst: &V) -> Result<()> {
        const OP: &str = "copy";
        inside(OP, "src", src)?;
        sized(OP, "dst", dst, src.len)?;
        if src.buf.id() != dst.buf.id() {
            self.rec.copy(&src.buf, src.offset, &dst.buf, dst.offset, src.len);
            return Ok(());
        }
        disjoint(OP, ("src", src), ("dst", dst))?;
        let g = groups(OP, src.len, 256)?;
        self.rec.dispatch(Kernel::CopyWithin, &[u(src.offset), u(dst.offset), u(src.len)], &[&dst.buf], g)
    }

    fn submit(&mut self) -> Result<()> {
        self.rec.flush()
    }

    fn read(&mut self, src: &V) -> impl Future<Output = Result<Vec<f32>>> {
        // Record the copy and submit now, so ops recorded after this call are not part of it.
        let staged = inside("read", "src", src).and_then(|()| self.rec.stage_read(&src.buf, src.offset, src.len));
        let len = src.len;
        let device = self.rec.device.clone();
        async move {
            let staging = staged?;
            read_f32(&device, &staging, len).await
        }
    }

    fn gemm(&mut self, g: Gemm, a: &V, b: &V, bias: Option<&V>, c: &V) -> Result<()> {
        self.gemm_ex(g, a, b, bias, None, c, Epilogue::default()).map(|_| ())
    }

    fn dense_forward(&mut self, g: Gemm, act: Activation, x: &V, weight: &V, bias: &V, z: &V, y: &V) -> Result<()> {
        match fusable(act) {
            Some(code) if !g.accumulate => {
                self.gemm_ex(g, x, weight, Some(bias), None, y, Epilogue { act: Some(code), ..Epilogue::default() }).map(|_| ())
            }
            _ => unfused::dense_forward(self, g, act, x, weight, bias, z, y),
        }
    }

    fn dense_backward(&mut self, d: DenseGrad<'_, GpuBuffer>) -> Result<()> {
        const OP: &str = "dense_backward";
        let Some(code) = fusable(d.act) else {
            // The forward wrote z.
            return unfused::dense_backward(self, d);
        };
        // dz = dy·f'(y) is never stored: each product scales dy as it reads it.
        let dact = (code.0 != 0).then_some(code);
        let y = dact.map(|_| d.y);
        sized(OP, "dbias", d.dbias, d.units)?;
        let together = d.dbias.buf.id() == d.dweight.buf.id();
        disjoint(OP, ("dweight", d.dweight), ("dbias", d.dbias))?;
        let gw = Gemm { m: d.units, n: d.fan_in, k: d.rows, trans_a: true, trans_b: false, accumulate: false };
        let epi = Epilogue { dact, sum_off: together.then_some(d.dbias.offset), ..Epilogue::default() };
        let summed = self.gemm_ex(gw, d.dy, d.x, None, y, d.dweight, epi)?;
        if !summed {
            self.col_sum_ex(d.dy, d.rows, d.units, d.dbias, false, y.zip(dact))?;
        }
        if let Some(dx) = d.dx {
            let gx = Gemm { m: d.rows, n: d.fan_in, k: d.units, trans_a: false, trans_b: false, accumulate: false };
            self.gemm_ex(gx, d.dy, d.weight, None, y, dx, Epilogue { dact, ..Epilogue::default() })?;
        }
        Ok(())
    }

    fn conv2d_forward_act(&mut self, op: Conv2d, act: Activation, x: &V, weight: &V, bias: &V, z: &V, y: &V) -> Result<()> {
        match fusable(act) {
            Some(code) => self.conv_forward_ex(op, x, weight, Some(bias), y, Some(code)),
            None => unfused::conv2d_forward_act(self, op, act, x, weight, bias, z, y),
        }
    }

    fn conv2d_backward(&mut self, d: ConvGrad<'_, GpuBuffer>) -> Result<()> {
        let Some(code) = fusable(d.act) else {
            return unfused::conv2d_backward(self, d);
        };
        let dact = (code.0 != 0).then_some((d.y, code));
        self.conv_params_ex(d.op, d.x, d.dy, d.dweight, Some(d.dbias), dact)?;
        if let Some(dx) = d.dx {
            self.conv_data_ex(d.op, d.dy, d.weight, dx, dact)?;
        }
        Ok(())
    }

    fn lstm_step_forward(&mut self, cell: RnnCell, gates: &V, c: &V, h: &V, w_hh: &V, b_hh: &V) -> Result<()> {
        const OP: &str = "lstm_step_forward";
        let state = cell_state(OP, &cell, 4)?;
        if !(w_hh.buf.id() == b_hh.buf.id() && distinct(&[gates, c, h, w_hh])) {
            return unfused::lstm_step_forward(self, cell, gates, c, h, w_hh, b_hh);
        }
        sized(OP, "gates", gates, 4 * state)?;
        sized(OP, "c", c, 2 * state)?;
        sized(OP, "h", h, 2 * state)?;
        sized(OP, "w_hh", w_hh, 4 * state / cell.batch.max(1) * cell.hidden)?;
        sized(OP, "b_hh", b_hh, 4 * cell.hidden)?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(c.offset), u(h.offset), u(w_hh.offset), u(b_hh.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::LstmStepForward, &params, &[&gates.buf, &c.buf, &h.buf, &w_hh.buf], g)
    }

    fn lstm_step_backward(&mut self, cell: RnnCell, gates: &V, next_gates: Option<&V>, c: &V, dh: &V, dc: &V, w_hh: &V) -> Result<()> {
        const OP: &str = "lstm_step_backward";
        let state = cell_state(OP, &cell, 4)?;
        let fused = dh.buf.id() == dc.buf.id()
            && next_gates.is_none_or(|n| n.buf.id() == gates.buf.id())
            && distinct(&[gates, c, dh, w_hh]);
        if !fused {
            return unfused::lstm_step_backward(self, cell, gates, next_gates, c, dh, dc, w_hh);
        }
        sized(OP, "gates", gates, 4 * state)?;
        if let Some(ng) = next_gates {
            sized(OP, "next_gates", ng, 4 * state)?;
            disjoint(OP, ("gates", gates), ("next_gates", ng))?;
        }
        sized(OP, "c", c, 2 * state)?;
        sized(OP, "dh", dh, state)?;
        sized(OP, "dc", dc, state)?;
        disjoint(OP, ("dh", dh), ("dc", dc))?;
        sized(OP, "w_hh", w_hh, 4 * cell.hidden * cell.hidden)?;
        let params = [
            u(cell.batch),
            u(cell.hidden),
            u(gates.offset),
            u(next_gates.map_or(0, |n| n.offset)),
            u32::from(next_gates.is_some()),
            u(c.offset),
            u(dh.offset),
            u(dc.offset),
            u(w_hh.offset),
        ];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::LstmStepBackward, &params, &[&gates.buf, &c.buf, &dh.buf, &w_hh.buf], g)
    }

    fn rnn_step_forward(&mut self, cell: RnnCell, gates: &V, h: &V, w_hh: &V, b_hh: &V) -> Result<()> {
        const OP: &str = "rnn_step_forward";
        let state = cell_state(OP, &cell, 1)?;
        if !(w_hh.buf.id() == b_hh.buf.id() && distinct(&[gates, h, w_hh])) {
            return unfused::rnn_step_forward(self, cell, gates, h, w_hh, b_hh);
        }
        sized(OP, "gates", gates, state)?;
        sized(OP, "h", h, 2 * state)?;
        sized(OP, "w_hh", w_hh, mul(OP, cell.hidden, cell.hidden)?)?;
        sized(OP, "b_hh", b_hh, cell.hidden)?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(h.offset), u(w_hh.offset), u(b_hh.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::RnnStepForward, &params, &[&gates.buf, &h.buf, &w_hh.buf], g)
    }

    fn rnn_step_backward(&mut self, cell: RnnCell, gates: &V, next_d: Option<&V>, h: &V, dh: &V, d: &V, w_hh: &V) -> Result<()> {
        const OP: &str = "rnn_step_backward";
        let state = cell_state(OP, &cell, 1)?;
        if !(next_d.is_none_or(|n| n.buf.id() == d.buf.id()) && distinct(&[d, h, dh, w_hh])) {
            return unfused::rnn_step_backward(self, cell, gates, next_d, h, dh, d, w_hh);
        }
        sized(OP, "d", d, state)?;
        if let Some(nd) = next_d {
            sized(OP, "next_d", nd, state)?;
            disjoint(OP, ("d", d), ("next_d", nd))?;
        }
        sized(OP, "h", h, state)?;
        sized(OP, "dh", dh, state)?;
        sized(OP, "w_hh", w_hh, mul(OP, cell.hidden, cell.hidden)?)?;
        let params = [
            u(cell.batch),
            u(cell.hidden),
            u(d.offset),
            u(next_d.map_or(0, |n| n.offset)),
            u32::from(next_d.is_some()),
            u(h.offset),
            u(dh.offset),
            u(w_hh.offset),
        ];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::RnnStepBackward, &params, &[&d.buf, &h.buf, &dh.buf, &w_hh.buf], g)
    }

    fn gru_step_forward(&mut self, cell: RnnCell, gates: &V, hp: &V, h: &V, w_hh: &V, b_hh: &V) -> Result<()> {
        const OP: &str = "gru_step_forward";
        let state = cell_state(OP, &cell, 3)?;
        let gh = mul(OP, 3, cell.hidden)?;
        if !(w_hh.buf.id() == b_hh.buf.id() && distinct(&[gates, hp, h, w_hh])) {
            return unfused::gru_step_forward(self, cell, gates, hp, h, w_hh, b_hh);
        }
        sized(OP, "gates", gates, 3 * state)?;
        sized(OP, "hp", hp, 3 * state)?;
        sized(OP, "h", h, 2 * state)?;
        sized(OP, "w_hh", w_hh, mul(OP, gh, cell.hidden)?)?;
        sized(OP, "b_hh", b_hh, gh)?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(hp.offset), u(h.offset), u(w_hh.offset), u(b_hh.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::GruStepForward, &params, &[&gates.buf, &hp.buf, &h.buf, &w_hh.buf], g)
    }


    fn act_forward(&mut self, op: ActOp, x: &V, alpha: Option<&V>, y: &V) -> Result<()> {
        const OP: &str = "act_forward";
        let (rows, cols) = (op.rows, op.cols);
        mul(OP, rows, cols)?;
        sized(OP, "x", x, rows * cols)?;
        let out = out_cols(OP, op)?;
        sized(OP, "y", y, rows * out)?;
        if op.act == Activation::Prelu {
            let Some(alpha) = alpha else { return Err(shape(OP, "prelu needs alpha".into())) };
            sized(OP, "alpha", alpha, cols)?;
        }
        apart(OP, ("y", y), &[("x", Some(x)), ("alpha", alpha)])?;
        if rows * cols == 0 {
            return Ok(());
        }
        if op.act == Activation::Softmax {
            let g = groups(OP, rows, 64)?;
            return self.rec.dispatch(
                Kernel::SoftmaxForward,
                &[u(rows), u(cols), u(x.offset), u(y.offset)],
                &[&x.buf, &y.buf],
                g,
            );
        }
        let (code, s, pieces) = act_code(op.act);
        let alpha_buf = alpha.filter(|_| op.act == Activation::Prelu);
        let params = [
            code,
            u(rows * out),
            u(cols),
            pieces,
            u(x.offset),
            u(alpha_buf.map_or(0, |v| v.offset)),
            u(y.offset),
            f(s),
        ];
        let g = groups(OP, rows * out, 256)?;
        let alpha_buf = alpha_buf.map_or(&x.buf, |v| &v.buf);
        self.rec.dispatch(Kernel::ActForward, &params, &[&x.buf, alpha_buf, &y.buf], g)
    }

    fn act_backward(
        &mut self,
        op: ActOp,
        x: &V,
        y: &V,
        dy: &V,
        alpha: Option<&V>,
        dx: &V,
        dalpha: Option<&V>,
    ) -> Result<()> {
        const OP: &str = "act_backward";
        let (rows, cols) = (op.rows, op.cols);
        mul(OP, rows, cols)?;
        let out = out_cols(OP, op)?;
        sized(OP, "x", x, rows * cols)?;
        sized(OP, "y", y, rows * out)?;
        sized(OP, "dy", dy, rows * out)?;
        sized(OP, "dx", dx, rows * cols)?;
        let prelu = op.act == Activation::Prelu;
        if prelu {
            let (Some(a), Some(da)) = (alpha, dalpha) else {
                return Err(shape(OP, "prelu needs alpha and dalpha".into()));
            };
            sized(OP, "alpha", a, cols)?;
            sized(OP, "dalpha", da, cols)?;
            apart(OP, ("dalpha", da), &[("x", Some(x)), ("y", Some(y)), ("dy", Some(dy)), ("alpha", alpha), ("dx", Some(dx))])?;
        }
        apart(OP, ("dx", dx), &[("x", Some(x)), ("y", Some(y)), ("dy", Some(dy)), ("alpha", alpha.filter(|_| prelu))])?;
        if rows * cols == 0 {
            if let Some(da) = dalpha.filter(|_| prelu) {
                self.rec.clear(&da.buf, da.offset, da.len);
            }
            return Ok(());
        }
        if op.act == Activation::Softmax {
            let g = groups(OP, rows, 64)?;
            return self.rec.dispatch(
                Kernel::SoftmaxBackward,
                &[u(rows), u(cols), u(y.offset), u(dy.offset), u(dx.offset)],
                &[&y.buf, &dy.buf, &dx.buf],
                g,
            );
        }
        let (code, s, pieces) = act_code(op.act);
        let alpha_v = alpha.filter(|_| prelu);
        let params = [
            code,
            u(rows * cols),
            u(cols),
            pieces,
            u(x.offset),
            u(dy.offset),
            u(alpha_v.map_or(0, |v| v.offset)),
            u(dx.offset),
            f(s),
        ];
        let g = groups(OP, rows * cols, 256)?;
        let alpha_buf = alpha_v.map_or(&x.buf, |v| &v.buf);
        self.rec.dispatch(Kernel::ActBackward, &params, &[&x.buf, &dy.buf, alpha_buf, &dx.buf], g)?;
        if let (true, Some(da)) = (prelu, dalpha) {
            let g = groups(OP, cols, 64)?;
            self.rec.dispatch(
                Kernel::PreluDalpha,
                &[u(rows), u(cols), u(x.offset), u(dy.offset), u(da.offset)],
                &[&x.buf, &dy.buf, &da.buf],
                g,
            )?;
        }
        Ok(())
    }

    fn col_sum(&mut self, x: &V, rows: usize, cols: usize, out: &V, accumulate: bool) -> Result<()> {
        self.col_sum_ex(x, rows, cols, out, accumulate, None)
    }

    fn loss(&mut self, op: LossOp, pred: &V, target: &V, dpred: &V, loss: &V) -> Result<()> {
        const OP: &str = "loss";
        let (rows, cols) = (op.rows, op.cols);
        mul(OP, rows, cols)?;
        if rows == 0 || cols == 0 {
            return Err(shape(OP, format!("a loss over {rows}×{cols} predictions")));
        }
        sized(OP, "pred", pred, rows * cols)?;
        let targets = if op.kind == LossKind::SoftmaxCrossEntropy { rows } else { rows * cols };
        sized(OP, "target", target, targets)?;
        sized(OP, "dpred", dpred, rows * cols)?;
        if loss.len == 0 {
            return Err(shape(OP, "loss is empty".into()));
        }
        inside(OP, "loss", loss)?;
        apart(OP, ("dpred", dpred), &[("pred", Some(pred)), ("target", Some(target)), ("loss", Some(loss))])?;
        apart(OP, ("loss", loss), &[("pred", Some(pred)), ("target", Some(target))])?;
        let params = [
            loss_code(op.kind),
            u(rows),
            u(cols),
            u(pred.offset),
            u(target.offset),
            u(dpred.offset),
            u(loss.offset),
            f32::NAN.to_bits(),
        ];
        let kernel = if self.subgroups { Kernel::LossSubgroup } else { Kernel::Loss };
        self.rec.dispatch(kernel, &params, &[&pred.buf, &target.buf, &dpred.buf, &loss.buf], (1, 1))
    }

    fn count_correct(&mut self, op: LossOp, pred: &V, target: &V, out: &V) -> Result<()> {
        const OP: &str = "count_correct";
        let (rows, cols) = (op.rows, op.cols);
        mul(OP, rows, cols)?;
        if cols == 0 {
            return Err(shape(OP, "predictions have no columns".into()));
        }
        sized(OP, "pred", pred, rows * cols)?;
        let targets = if op.kind == LossKind::SoftmaxCrossEntropy { rows } else { rows * cols };
        sized(OP, "target", target, targets)?;
        if out.len == 0 {
            return Err(shape(OP, "out is empty".into()));
        }
        inside(OP, "out", out)?;
        apart(OP, ("out", out), &[("pred", Some(pred)), ("target", Some(target))])?;
        let params = [loss_code(op.kind), u(rows), u(cols), u(pred.offset), u(target.offset), u(out.offset)];
        let kernel = if self.subgroups { Kernel::CountCorrectSubgroup } else { Kernel::CountCorrect };
        self.rec.dispatch(kernel, &params, &[&pred.buf, &target.buf, &out.buf], (1, 1))
    }

    fn gather_rows(&mut self, src: &V, cols: usize, index: &V, dst: &V) -> Result<()> {
        const OP: &str = "gather_rows";
        if cols == 0 || !src.len.is_multiple_of(cols) {
            return Err(shape(OP, format!("src of {} floats is not rows of {cols}", src.len)));
        }
        inside(OP, "src", src)?;
        inside(OP, "index", index)?;
        sized(OP, "dst", dst, mul(OP, index.len, cols)?)?;
        apart(OP, ("dst", dst), &[("src", Some(src)), ("index", Some(index))])?;
        let n = index.len * cols;
        let params = [u(n), u(cols), u(src.len / cols), u(src.offset), u(index.offset), u(dst.offset)];
        let g = groups(OP, n, 256)?;
        self.rec.dispatch(Kernel::GatherRows, &params, &[&src.buf, &index.buf, &dst.buf], g)
    }

    fn optim_step(&mut self, s: &OptimStep, param: &V, grad: &V, m: &V, v: &V) -> Result<()> {
        const OP: &str = "optim_step";
        let n = param.len;
        inside(OP, "param", param)?;
        sized(OP, "grad", grad, n)?;
        apart(OP, ("param", param), &[("grad", Some(grad))])?;
        let g = groups(OP, n, 256)?;
        match s.kind {
            OptimKind::Sgd => self.rec.dispatch(
                Kernel::OptimSgd,
                &[u(n), u(param.offset), u(grad.offset), f(s.lr), f(s.weight_decay), f(s.l1)],
                &[&param.buf, &grad.buf],
                g,
            ),
            OptimKind::Momentum => {
                sized(OP, "m", m, n)?;
                apart(OP, ("m", m), &[("param", Some(param)), ("grad", Some(grad))])?;
                let params = [
                    u(n),
                    u(param.offset),
                    u(grad.offset),
                    u(m.offset),
                    f(s.lr),
                    f(s.momentum),
                    f(s.weight_decay),
                    f(s.l1),
                ];
                self.rec.dispatch(Kernel::OptimMomentum, &params, &[&param.buf, &grad.buf, &m.buf], g)
            }
            OptimKind::Adam => {
                sized(OP, "m", m, n)?;
                sized(OP, "v", v, n)?;
                apart(OP, ("m", m), &[("param", Some(param)), ("grad", Some(grad)), ("v", Some(v))])?;
                apart(OP, ("v", v), &[("param", Some(param)), ("grad", Some(grad))])?;
                if s.t == 0 {
                    return Err(shape(OP, "Adam's step count t starts at 1".into()));
                }
                // Bias corrections for this op's own t, in f64; they travel in this op's uniform
                // slot, so steps recorded into one submission each use their own.
                let bc1 = 1.0 - f64::from(s.beta1).powi(s.t.min(i32::MAX as u32) as i32);
                let bc2 = 1.0 - f64::from(s.beta2).powi(s.t.min(i32::MAX as u32) as i32);
                let params = [
                    u(n),
                    u(param.offset),
                    u(grad.offset),
                    u(m.offset),
                    u(v.offset),
                    f((f64::from(s.lr) / bc1) as f32),
                    f(s.beta1),
                    f(s.beta2),
                    f(s.eps),
                    f(s.weight_decay),
                    f(s.l1),
                    f((1.0 / bc2.sqrt()) as f32),
                ];
                self.rec.dispatch(Kernel::OptimAdam, &params, &[&param.buf, &grad.buf, &m.buf, &v.buf], g)
            }
        }
    }

    fn conv2d_forward(&mut self, op: Conv2d, x: &V, weight: &V, bias: Option<&V>, y: &V) -> Result<()> {
        self.conv_forward_ex(op, x, weight, bias, y, None)
    }

    fn conv2d_backward_data(&mut self, op: Conv2d, dy: &V, weight: &V, dx: &V) -> Result<()> {
        self.conv_data_ex(op, dy, weight, dx, None)
    }

    fn conv2d_backward_params(&mut self, op: Conv2d, x: &V, dy: &V, dweight: &V, dbias: Option<&V>) -> Result<()> {
        if let Some(db) = dbias {
            apart("conv2d_backward_params", ("dbias", db), &[("x", Some(x)), ("dy", Some(dy)), ("dweight", Some(dweight))])?;
        }
        self.conv_params_ex(op, x, dy, dweight, dbias, None)
    }

    fn conv2d_backward_bias(&mut self, op: Conv2d, dy: &V, dbias: &V) -> Result<()> {
        const OP: &str = "conv2d_backward_bias";
        let (oh, ow) = conv_shape(OP, &op)?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "dbias", dbias, op.out_channels)?;
        apart(OP, ("dbias", dbias), &[("dy", Some(dy))])?;
        let g = groups(OP, op.out_channels, 64)?;
        let params = [u(op.batch), u(op.out_channels), u(oh * ow), u(dy.offset), u(dbias.offset)];
        self.rec.dispatch(Kernel::Conv2dBackwardBias, &params, &[&dy.buf, &dbias.buf], g)
    }

    fn maxpool2d_forward(&mut self, op: Pool2d, x: &V, y: &V, argmax: &V) -> Result<()> {
        const OP: &str = "maxpool2d_forward";
        let (oh, ow) = pool_shape(OP, &op)?;
        sized(OP, "x", x, op.x_len())?;
        sized(OP, "y", y, op.y_len())?;
        sized(OP, "argmax", argmax, op.y_len())?;
        apart(OP, ("y", y), &[("x", Some(x)), ("argmax", Some(argmax))])?;
        apart(OP, ("argmax", argmax), &[("x", Some(x))])?;
        // Indices within a plane travel as floats: exact below 2^24.
        if op.height * op.width > 1 << 24 {
            return Err(EngineError::Unsupported(format!("{OP}: planes of {}×{} (argmax indices are not exact in f32)", op.height, op.width)));
        }
        let total = y.len;
        let mut params = pool_params(&op, oh, ow).to_vec();
        params.extend([u(x.offset), u(y.offset), u(argmax.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::MaxPool2dForward, &params, &[&x.buf, &y.buf, &argmax.buf], g)
    }

    fn maxpool2d_backward(&mut self, op: Pool2d, dy: &V, argmax: &V, dx: &V) -> Result<()> {
        const OP: &str = "maxpool2d_backward";
        let (oh, ow) = pool_shape(OP, &op)?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "argmax", argmax, op.y_len())?;
        sized(OP, "dx", dx, op.x_len())?;
        apart(OP, ("dx", dx), &[("dy", Some(dy)), ("argmax", Some(argmax))])?;
        let total = dx.len;
        let mut params = vec![0];
        params.extend(pool_params(&op, oh, ow));
        params.extend([u(dy.offset), u(argmax.offset), u(dx.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::Pool2dBackward, &params, &[&dy.buf, &argmax.buf, &dx.buf], g)
    }

    fn avgpool2d_forward(&mut self, op: Pool2d, x: &V, y: &V) -> Result<()> {
        const OP: &str = "avgpool2d_forward";
        let (oh, ow) = pool_shape(OP, &op)?;
        sized(OP, "x", x, op.x_len())?;
        sized(OP, "y", y, op.y_len())?;
        apart(OP, ("y", y), &[("x", Some(x))])?;
        let total = y.len;
        let mut params = pool_params(&op, oh, ow).to_vec();
        params.extend([u(x.offset), u(y.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        self.rec.dispatch(Kernel::AvgPool2dForward, &params, &[&x.buf, &y.buf], g)
    }

    fn avgpool2d_backward(&mut self, op: Pool2d, dy: &V, dx: &V) -> Result<()> {
        const OP: &str = "avgpool2d_backward";
        let (oh, ow) = pool_shape(OP, &op)?;
        sized(OP, "dy", dy, op.y_len())?;
        sized(OP, "dx", dx, op.x_len())?;
        apart(OP, ("dx", dx), &[("dy", Some(dy))])?;
        let total = dx.len;
        let mut params = vec![1];
        params.extend(pool_params(&op, oh, ow));
        params.extend([u(dy.offset), 0, u(dx.offset), u(total)]);
        let g = groups(OP, total, 64)?;
        // The average kernel never reads argmax; dy stands in for it (both read-only).
        self.rec.dispatch(Kernel::Pool2dBackward, &params, &[&dy.buf, &dy.buf, &dx.buf], g)
    }

    fn lstm_cell_forward(&mut self, cell: RnnCell, gates: &V, c: &V, h: &V) -> Result<()> {
        const OP: &str = "lstm_cell_forward";
        let state = cell_state(OP, &cell, 4)?;
        sized(OP, "gates", gates, 4 * state)?;
        sized(OP, "c", c, 2 * state)?;
        sized(OP, "h", h, state)?;
        apart(OP, ("gates", gates), &[("c", Some(c)), ("h", Some(h))])?;
        apart(OP, ("c", c), &[("h", Some(h))])?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(c.offset), u(h.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::LstmCellForward, &params, &[&gates.buf, &c.buf, &h.buf], g)
    }

    fn lstm_cell_backward(&mut self, cell: RnnCell, gates: &V, c: &V, dh: &V, dc: &V) -> Result<()> {
        const OP: &str = "lstm_cell_backward";
        let state = cell_state(OP, &cell, 4)?;
        sized(OP, "gates", gates, 4 * state)?;
        sized(OP, "c", c, 2 * state)?;
        sized(OP, "dh", dh, state)?;
        sized(OP, "dc", dc, state)?;
        apart(OP, ("gates", gates), &[("c", Some(c)), ("dh", Some(dh)), ("dc", Some(dc))])?;
        apart(OP, ("dc", dc), &[("c", Some(c)), ("dh", Some(dh))])?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(c.offset), u(dh.offset), u(dc.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::LstmCellBackward, &params, &[&gates.buf, &c.buf, &dh.buf, &dc.buf], g)
    }

    fn gru_cell_forward(&mut self, cell: RnnCell, gates: &V, hp: &V, h: &V) -> Result<()> {
        const OP: &str = "gru_cell_forward";
        let state = cell_state(OP, &cell, 3)?;
        sized(OP, "gates", gates, 3 * state)?;
        sized(OP, "hp", hp, 3 * state)?;
        sized(OP, "h", h, 2 * state)?;
        apart(OP, ("gates", gates), &[("hp", Some(hp)), ("h", Some(h))])?;
        apart(OP, ("h", h), &[("hp", Some(hp))])?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(hp.offset), u(h.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::GruCellForward, &params, &[&gates.buf, &hp.buf, &h.buf], g)
    }

    fn gru_cell_backward(&mut self, cell: RnnCell, gates: &V, hp: &V, h_prev: &V, dh: &V) -> Result<()> {
        const OP: &str = "gru_cell_backward";
        let state = cell_state(OP, &cell, 3)?;
        sized(OP, "gates", gates, 3 * state)?;
        sized(OP, "hp", hp, 3 * state)?;
        sized(OP, "h_prev", h_prev, state)?;
        sized(OP, "dh", dh, 2 * state)?;
        apart(OP, ("gates", gates), &[("hp", Some(hp)), ("h_prev", Some(h_prev)), ("dh", Some(dh))])?;
        apart(OP, ("hp", hp), &[("h_prev", Some(h_prev)), ("dh", Some(dh))])?;
        apart(OP, ("dh", dh), &[("h_prev", Some(h_prev))])?;
        let params = [u(cell.batch), u(cell.hidden), u(gates.offset), u(hp.offset), u(h_prev.offset), u(dh.offset)];
        let g = groups(OP, state, 64)?;
        self.rec.dispatch(Kernel::GruCellBackward, &params, &[&gates.buf, &hp.buf, &h_prev.buf, &dh.buf], g)
    }
}

