/**
 * The last step of an export: graph outputs under the names asked for, nodes that nothing
 * reads dropped, and the ModelProto around the graph.
 */
import type { GraphBuilder } from './graph-builder.ts';
import type { Dim, ModelProto, NodeProto, ValueInfoProto } from './proto.ts';
import { irVersionFor } from './options.ts';

/** A graph output: the value that holds it, the name it is to have, and its declared type. */
export interface OutputSpec {
  value: string;
  info: ValueInfoProto;
}

function renameValue(nodes: NodeProto[], from: string, to: string): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.inputs.includes(from) || n.outputs.includes(from)) {
      nodes[i] = { ...n, inputs: n.inputs.map((v) => (v === from ? to : v)), outputs: n.outputs.map((v) => (v === from ? to : v)) };
    }
  }
}

/**
 * Gives each output its requested name: the producing node's output is renamed when it is
 * a node's (and not already another output), otherwise an Identity copies the value
 * (an output that is an input, a weight, or the same tensor returned twice).
 */
function nameOutputs(g: GraphBuilder, inputNames: readonly string[], outputs: readonly OutputSpec[]): void {
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  const renamed = new Set<string>();
  for (const o of outputs) {
    if (o.value === o.info.name) continue;
    if (produced.has(o.value) && !renamed.has(o.value) && !inputNames.includes(o.value)) {
      renameValue(g.nodes, o.value, o.info.name);
      renamed.add(o.value);
      produced.delete(o.value);
      produced.add(o.info.name);
      // Later outputs that named the same value now find it under its new name.
      for (const later of outputs) if (later.value === o.value) later.value = o.info.name;
      renamed.add(o.info.name);
    } else {
      g.nodes.push({ name: g.unique(`/Identity_${o.info.name}`), opType: 'Identity', inputs: [o.value], outputs: [o.info.name], attributes: {} });
    }
  }
}

/** Keeps only nodes whose outputs reach a graph output, and the initializers they read. */
function prune(g: GraphBuilder, outputNames: readonly string[]): { nodes: NodeProto[]; used: Set<string> } {
  const live = new Set(outputNames);
  const kept: NodeProto[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((o) => live.has(o))) continue;
    kept.push(n);
    for (const v of n.inputs) if (v) live.add(v);
  }
  return { nodes: kept.reverse(), used: live };
}

export function assembleModel(g: GraphBuilder, graphName: string, inputs: readonly ValueInfoProto[], outputs: OutputSpec[]): ModelProto {
  nameOutputs(g, inputs.map((i) => i.name), outputs);
  const outputNames = outputs.map((o) => o.info.name);
  const { nodes, used } = prune(g, outputNames);
  return {
    irVersion: irVersionFor(g.opset),
    opsetImports: [{ domain: '', version: g.opset }],
    producerName: 'tsgrad',
    graph: {
      name: graphName,
      nodes,
      initializers: g.initializers.filter((t) => used.has(t.name)),
      inputs,
      outputs: outputs.map((o) => o.info),
    },
  };
}

/** The declared shape of a value seen at both traced batch sizes: the batch dimension is 'batch', other moving sizes unknown. */
export function declaredShape(a: readonly number[], b: readonly number[], batchA: number, batchB: number): Dim[] {
  return a.map((d, i) => (d === b[i] ? d : d === batchA && b[i] === batchB ? 'batch' : null));
}
