/** A float network of dense layers (the form models are trained in before fixed-point export). */
export type FloatLayer = { W: number[][]; b: number[]; activation: 'relu' | 'linear' };
export type FloatNet = FloatLayer[];

export function predictFloat(net: FloatNet, x: number[]): number[] {
  let h = x;
  for (const layer of net) {
    const out = new Array<number>(layer.b.length);
    for (let i = 0; i < layer.b.length; i++) {
      const row = layer.W[i]!;
      let s = layer.b[i]!;
      for (let j = 0; j < h.length; j++) s += row[j]! * h[j]!;
      out[i] = layer.activation === 'relu' && s < 0 ? 0 : s;
    }
    h = out;
  }
  return h;
}

/**
 * Folds input standardization z = (x − μ)/σ into the first layer and output scaling o = k·o' into
 * the last one, so the net takes raw features and returns raw outputs: one self-contained set of
 * weights for the model file (and the circuit).
 */
export function foldAffine(net: FloatNet, mean: number[], std: number[], outScale: number[]): FloatNet {
  const folded = net.map((l) => ({ W: l.W.map((r) => [...r]), b: [...l.b], activation: l.activation }));
  const first = folded[0]!;
  for (let i = 0; i < first.b.length; i++) {
    const row = first.W[i]!;
    let shift = 0;
    for (let j = 0; j < row.length; j++) {
      row[j] = row[j]! / std[j]!;
      shift += row[j]! * mean[j]!;
    }
    first.b[i] = first.b[i]! - shift;
  }
  const last = folded[folded.length - 1]!;
  for (let i = 0; i < last.b.length; i++) {
    last.W[i] = last.W[i]!.map((w) => w * outScale[i]!);
    last.b[i] = last.b[i]! * outScale[i]!;
  }
  return folded;
}
