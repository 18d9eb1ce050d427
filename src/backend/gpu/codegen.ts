/**
 * Source generation for gpu.js kernels: turning a flat output index back into the element
 * each operand should read. Kernels write 1-D outputs (see runtime.ts), so every kernel
 * that walks an N-D shape starts by splitting its flat index into coordinates; this file
 * writes those lines with the shape baked in as literals.
 */

/**
 * Drops length-1 dimensions and merges neighbours that every operand walks contiguously
 * (or that every operand broadcasts), so the index split needs as few divisions as possible.
 * `strides[k][d]` is how far operand k moves when output coordinate d grows by one.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    // Merge d into the previous kept dim when, for every operand, stepping the previous dim
    // equals stepping d across its whole length.
    if (last >= 0 && strides.every((s, k) => st[k][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => { st[k][last] = s[d]; });
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => st[k].push(s[d]));
    }
  }
  return { shape: dims, strides: st };
}

/**
 * Lines of kernel source that split flat index `flat` over `shape` and define one variable
 * per operand, `names[k]`, holding Σ coordinate·strides[k]. `tag` keeps the helper
 * variables of two calls in one kernel apart.
 */
export function indexLines(
  flat: string, shape: readonly number[], strides: readonly (readonly number[])[], names: readonly string[], tag = '',
): string {
  const c = coalesce(shape, strides);
  const nd = c.shape.length;
  if (nd === 0) return names.map((v) => `const ${v} = 0;`).join('\n');
  const lines: string[] = [];
  const terms: string[][] = names.map(() => []);
  const rest = `rest${tag}`;
  lines.push(`let ${rest} = ${flat};`);
  for (let d = nd - 1; d >= 0; d--) {
    const coord = `crd${tag}_${d}`;
    if (d === 0) {
      lines.push(`const ${coord} = ${rest};`);
    } else {
      // Exact: gpu.js's integer-division fix makes floor(q·n / n) = q even where a GPU's
      // division is a hair low.
      lines.push(`const quo${tag}_${d} = Math.floor(${rest} / ${c.shape[d]});`);
      lines.push(`const ${coord} = ${rest} - quo${tag}_${d} * ${c.shape[d]};`);
      lines.push(`${rest} = quo${tag}_${d};`);
    }
    c.strides.forEach((s, k) => {
      if (s[d] !== 0) terms[k].push(s[d] === 1 ? coord : `${coord} * ${s[d]}`);
    });
  }
  names.forEach((v, k) => lines.push(`const ${v} = ${terms[k].length > 0 ? terms[k].join(' + ') : '0'};`));
  return lines.join('\n');
}
