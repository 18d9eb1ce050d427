/**
 * The graph under construction: nodes in the order they are added (which is the order the
 * ops ran, so inputs always come first), initializers, and one name per value.
 */
import type { Tensor } from '../tensor/tensor.ts';
import type { Storage } from '../tensor/storage.ts';
import { DataType, type AttributeValue, type DataTypeCode, type NodeProto, type TensorProto } from './proto.ts';
import { onnxType, rawBytes, type DType } from './tensor-info.ts';

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly taken = new Set<string>();
  private readonly names = new Map<Tensor, string>();
  private readonly byStorage = new Map<Storage, { name: string; tensor: Tensor }[]>();

  constructor(readonly opset: number) {}

  /** Claims a name given by the user or the model (an input, an output, a parameter) so no generated name takes it. */
  reserve(name: string): void {
    this.taken.add(name);
  }

  /** `base`, or `base_1`, `base_2`, … whichever is free; the result is claimed. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** Records that `t`'s value is called `name` in the graph. */
  bind(t: Tensor, name: string): void {
    this.names.set(t, name);
    const list = this.byStorage.get(t.storage);
    if (list) list.push({ name, tensor: t });
    else this.byStorage.set(t.storage, [{ name, tensor: t }]);
  }

  nameOf(t: Tensor): string | undefined {
    return this.names.get(t);
  }

  /**
   * The name of a value `t` shares its storage with, at the same shape and dtype: `t` is then
   * a view of it made outside the ops (`x.detach()`) and holds the same values.
   */
  aliasOf(t: Tensor): string | undefined {
    const same = (v: Tensor) => v.dtype === t.dtype && v.shape.length === t.shape.length && v.shape.every((d, i) => d === t.shape[i]);
    return this.byStorage.get(t.storage)?.find((seen) => same(seen.tensor))?.name;
  }

  /**
   * Appends a node named after the module it belongs to (`/encoder.0/Gemm`, PyTorch's
   * convention, so a node in a viewer points back to the layer) and returns its output names.
   */
  addNode(scope: string, opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, outputs = 1): string[] {
    const name = this.unique(`${scope ? `/${scope}` : ''}/${opType}`);
    const outs = Array.from({ length: outputs }, (_, k) => this.unique(`${name}_output_${k}`));
    this.nodes.push({ name, opType, inputs, outputs: outs, attributes });
    return outs;
  }

  /** Adds a constant tensor under `name` (uniquified unless already reserved for it by the caller). */
  addInitializer(name: string, data: ArrayLike<number>, dtype: DType | 'int64', dims: readonly number[]): string {
    const dataType: DataTypeCode = dtype === 'int64' ? DataType.INT64 : onnxType(dtype);
    this.initializers.push({ name, dataType, dims: [...dims], rawData: rawBytes(data, dtype) });
    return name;
  }
}
