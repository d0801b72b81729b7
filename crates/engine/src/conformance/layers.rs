//! Conformance cases for convolution, pooling and recurrent layers, run through the same layer
//! code the model uses (and so through the backend's trait ops).

use super::{Case, Got, input, upload, upstream, zeros};
use crate::activation::Activation;
use crate::backend::{Backend, Conv2d, Pool2d, View};
use crate::error::{EngineError, Result};
use crate::layers::{CellKind, Conv, Pool, PoolKind, Recurrent};
use serde_json::Value;

fn pair(case: &Case, key: &str, default: Option<[usize; 2]>) -> Result<[usize; 2]> {
    match case.attrs.get(key) {
        None => default.ok_or_else(|| EngineError::Io(format!("attr `{key}` missing"))),
        Some(Value::Array(a)) if a.len() == 2 => {
            let n = |v: &Value| v.as_u64().map(|x| x as usize).ok_or_else(|| EngineError::Io(format!("attr `{key}` is not two integers")));
            Ok([n(&a[0])?, n(&a[1])?])
        }
        Some(v) => v.as_u64().map(|x| [x as usize; 2]).ok_or_else(|| EngineError::Io(format!("attr `{key}` is not two integers"))),
    }
}

fn shape4(case: &Case, key: &str) -> Result<[usize; 4]> {
    let t = input(case, key)?;
    <[usize; 4]>::try_from(t.shape.as_slice())
        .map_err(|_| EngineError::Shape { op: "conformance", detail: format!("`{key}` has shape {:?}, expected 4 axes", t.shape) })
}

fn f32s(t: &super::Tensor) -> Vec<f32> {
    super::as_f32(t)
}

/// Copies `data` into a fresh flat buffer at `offset` (params and grads share the layout).
fn flat<B: Backend>(b: &mut B, parts: &[&super::Tensor]) -> Result<(B::Buffer, B::Buffer, usize)> {
    let data: Vec<f32> = parts.iter().flat_map(|t| f32s(t)).collect();
    let (p, g) = (b.alloc(data.len())?, b.alloc(data.len())?);
    b.write(&View::whole(p.clone(), data.len()), &data)?;
    Ok((p, g, data.len()))
}

pub(super) async fn conv2d<B: Backend>(b: &mut B, case: &Case) -> Result<Got> {
    let [n, c, h, w] = shape4(case, "x")?;
    let [o, wc, kh, kw] = shape4(case, "weight")?;
    let bias = input(case, "bias")?;
    if wc != c || bias.data.len() != o {
        return Err(EngineError::Shape { op: "conv2d", detail: format!("x [{n},{c},{h},{w}], weight [{o},{wc},{kh},{kw}], bias {:?}", bias.shape) });
    }
    let op = Conv2d {
        batch: n,
        in_channels: c,
        height: h,
        width: w,
        out_channels: o,
        kernel: [kh, kw],
        stride: pair(case, "stride", Some([1, 1]))?,
        padding: pair(case, "padding", Some([0, 0]))?,
    };
    let (params, grads, len) = flat(b, &[input(case, "weight")?, bias])?;
    let layer = Conv::new(b, op, Activation::Linear, &params, &grads, 0, n)?;
    let x = upload(b, input(case, "x")?)?;
    layer.forward(b, n, &x)?;
    let mut got = Got::default();
    got.outputs.insert("y".into(), b.read(&layer.output(n)).await?);
    if let Some(dy) = upstream(case, "y") {
        b.write(&layer.output_grad(n), &f32s(dy))?;
        let dx = zeros(b, op.x_len())?;
        layer.backward(b, n, &x, Some(&dx))?;
        let g = b.read(&View::whole(grads, len)).await?;
        got.grads.insert("x".into(), b.read(&dx).await?);
        got.grads.insert("weight".into(), g[..op.weight_len()].to_vec());
        got.grads.insert("bias".into(), g[op.weight_len()..].to_vec());
    }
    Ok(got)
}

pub(super) async fn pool2d<B: Backend>(b: &mut B, case: &Case, kind: PoolKind) -> Result<Got> {
    let [n, c, h, w] = shape4(case, "x")?;
    let kernel = pair(case, "kernel", None)?;
    let op = Pool2d { batch: n, channels: c, height: h, width: w, kernel, stride: pair(case, "stride", Some(kernel))? };
    let layer = Pool::new(b, kind, op, n)?;
    let x = upload(b, input(case, "x")?)?;
    layer.forward(b, n, &x)?;
    let mut got = Got::default();
    got.outputs.insert("y".into(), b.read(&layer.output(n)).await?);
    if let Some(dy) = upstream(case, "y") {
        b.write(&layer.output_grad(n), &f32s(dy))?;
        let dx = zeros(b, op.x_len())?;
        layer.backward(b, n, Some(&dx))?;
        got.grads.insert("x".into(), b.read(&dx).await?);
    }
    Ok(got)
}

pub(super) async fn rnn<B: Backend>(b: &mut B, case: &Case) -> Result<Got> {
    let kind = match case.attrs.get("cell").and_then(Value::as_str) {
        Some("rnn") | Some("tanh") => CellKind::Rnn,
        Some("lstm") => CellKind::Lstm,
        Some("gru") => CellKind::Gru,
        other => return Err(EngineError::Unsupported(format!("recurrent cell {other:?}"))),
    };
    let x = input(case, "x")?;
    let [n, t, i] = <[usize; 3]>::try_from(x.shape.as_slice())
        .map_err(|_| EngineError::Shape { op: "rnn", detail: format!("x has shape {:?}, expected [N, T, I]", x.shape) })?;
    let hidden = case.attrs.get("hidden").and_then(Value::as_u64).map(|h| h as usize);
    let hidden = hidden.unwrap_or_else(|| input(case, "weight_hh").map_or(0, |w| w.shape.last().copied().unwrap_or(0)));
    let names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];
    let parts = names.iter().map(|k| input(case, k)).collect::<Result<Vec<_>>>()?;
    if kind.param_count(i, hidden) != parts.iter().map(|p| p.data.len()).sum::<usize>() || hidden == 0 || t == 0 {
        return Err(EngineError::Shape { op: "rnn", detail: format!("parameters do not fit input {i}, hidden {hidden}, cell {kind:?}") });
    }
    let (params, grads, len) = flat(b, &parts)?;
    let layer = Recurrent::new(b, kind, i, hidden, t, true, &params, &grads, 0, n)?;
    let xv = upload(b, x)?;
    let h0 = case.inputs.get("h0").map(|h| upload(b, h)).transpose()?;
    let c0 = case.inputs.get("c0").map(|c| upload(b, c)).transpose()?;
    layer.forward_from(b, n, &xv, h0.as_ref(), c0.as_ref())?;
    let mut got = Got::default();
    got.outputs.insert("y".into(), b.read(&layer.output(n)).await?);
    got.outputs.insert("h_n".into(), b.read(&layer.h_state(n, t)).await?);
    if kind == CellKind::Lstm {
        got.outputs.insert("c_n".into(), b.read(&layer.c_state(n, t)).await?);
    }
    if case.upstream.is_empty() {
        return Ok(got);
    }
    // Upstream gradients, time-major per step: dy[:, t, :] (+ dh_n at the last step).
    let s = n * hidden;
    let dy = upstream(case, "y").map(f32s).unwrap_or_else(|| vec![0.0; n * t * hidden]);
    let dhn = upstream(case, "h_n").map(f32s).unwrap_or_else(|| vec![0.0; s]);
    b.fill(&layer.dh_state(n, 0), 0.0)?;
    for step in 0..t {
        let mut slot = vec![0.0f32; s];
        for r in 0..n {
            for j in 0..hidden {
                slot[r * hidden + j] = dy[(r * t + step) * hidden + j] + if step + 1 == t { dhn[r * hidden + j] } else { 0.0 };
            }
        }
        b.write(&layer.dh_state(n, step + 1), &slot)?;
    }
    if kind == CellKind::Lstm {
        let dcn = upstream(case, "c_n").map(f32s).unwrap_or_else(|| vec![0.0; s]);
        b.write(&layer.dc_state(n), &dcn)?;
    }
    let dx = zeros(b, n * t * i)?;
    layer.backward_core(b, n, Some(&dx))?;
    got.grads.insert("x".into(), b.read(&dx).await?);
    got.grads.insert("h0".into(), b.read(&layer.dh_state(n, 0)).await?);
    if kind == CellKind::Lstm {
        got.grads.insert("c0".into(), b.read(&layer.dc_state(n)).await?);
    }
    let g = b.read(&View::whole(grads, len)).await?;
    let mut at = 0;
    for (name, p) in names.iter().zip(&parts) {
        got.grads.insert((*name).into(), g[at..at + p.data.len()].to_vec());
        at += p.data.len();
    }
    Ok(got)
}
