/** Bad input to tg.io: saving and loading models and tensor records, corrupt and hostile files. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from '../../../src/index.ts';
import { lit, shown, standardSetup, type Case, type Setup } from '../harness.ts';

const { io } = tg;
const area = 'io' as const;

/** Safetensors bytes from a header given as text. */
function st(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = Buffer.from(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A case that loads a crafted file into the standard model. */
function loadsFile(what: string, bytes: () => Uint8Array, shows: Case['refuse'] = { fn: 'safetensors', type: io.SafetensorsError }): Case {
  return {
    area, call: `io.load(model, ${what})`,
    setup: () => {
      const s = standardSetup();
      const input = join(s.dir, 'crafted.safetensors');
      writeFileSync(input, bytes());
      return { ...s, input, world: { ...s.world, files: [...s.world.files!, input] } };
    },
    act: (s: Setup) => io.load(s.model, s.input!),
    refuse: shows,
  };
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const f32 = (n: number) => new Uint8Array(4 * n);

export const ioCases: Case[] = [
  // save
  { area, call: "io.save(model, 'missing/folder/model.safetensors')", act: (s) => io.save(s.model, join(s.dir, 'out', 'missing', 'model.safetensors')), refuse: { fn: 'io.save', shows: ['missing'] } },
  { area, call: 'io.save(model, aFolder)', act: (s) => io.save(s.model, join(s.dir, 'out')), refuse: { fn: 'io.save', shows: ['out'] } },
  ...[42, null, ''].map((v): Case => ({ area, call: `io.save(model, ${lit(v)})`, act: (s) => io.save(s.model, v as never), refuse: { fn: ['io.save', 'saveTensors'], shows: ['path', shown(v)] } })),
  ...[null, {}, 'model'].map((v): Case => ({ area, call: `io.save(${lit(v)}, path)`, act: (s) => io.save(v as never, s.file), refuse: { fn: 'io.save', shows: ['model'] } })),
  { area, call: "io.save(model, path, { metadata: { epoch: 3 } })", act: (s) => io.save(s.model, s.file, { metadata: { epoch: 3 as never } }), refuse: { fn: 'saveTensors', shows: ['epoch', 'string'] } },
  { area, call: "io.save(model, path, { metadata: 'run 1' })", act: (s) => io.save(s.model, s.file, { metadata: 'run 1' as never }), refuse: { fn: 'saveTensors', shows: ['__metadata__', '"run 1"'] } },
  // load: the call
  { area, call: "io.load(model, 'missing.safetensors')", act: (s) => io.load(s.model, join(s.dir, 'missing.safetensors')), refuse: { fn: ['io.load', 'loadTensors'], shows: ['missing.safetensors'] } },
  { area, call: 'io.load(model, aFolder)', act: (s) => io.load(s.model, s.dir), refuse: { fn: ['io.load', 'loadTensors'], shows: [['EISDIR', 'folder', 'directory']] } },
  ...[42, null].map((v): Case => ({ area, call: `io.load(model, ${lit(v)})`, act: (s) => io.load(s.model, v as never), refuse: { fn: ['io.load', 'loadTensors'], shows: ['path', shown(v)] } })),
  { area, call: 'io.load(null, path)', act: (s) => io.load(null as never, s.file), refuse: { fn: 'io.load', shows: ['model', 'null'] } },
  {
    area, call: 'io.load(otherArchitecture, path)',
    setup: () => { const s = standardSetup(); const m = new tg.nn.Sequential(new tg.nn.Dense(4, 5), new tg.nn.ReLU(), new tg.nn.Dense(5, 3)); return { ...s, model: m as never, world: { ...s.world, model: m } }; },
    act: (s) => io.load(s.model, s.file), refuse: { fn: 'io.load', shows: ['0.weight', '[8,4]', '[5,4]'], type: tg.nn.StateDictError },
  },
  // load: corrupt and hostile files
  loadsFile('an empty file', () => new Uint8Array(0), { fn: 'safetensors', shows: ['0 bytes'], type: io.SafetensorsError }),
  loadsFile('a text file', () => Buffer.from('hello, this is not a model file'), { fn: 'safetensors', shows: ['header length'], type: io.SafetensorsError }),
  loadsFile('a header of 200 000 metadata keys', () => st(`{"__metadata__":{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":"v"`).join(',')}}}`), { fn: 'safetensors', shows: ['more than 65536'], type: io.SafetensorsError }),
  loadsFile('a shape nested 100 000 deep', () => st(`{"0.weight":{"dtype":"F32","shape":${deep(100_000)},"data_offsets":[0,0]}}`), { fn: 'safetensors', shows: ['nests deeper'], type: io.SafetensorsError }),
  loadsFile('data_offsets nested 100 000 deep', () => st(`{"0.weight":{"dtype":"F32","shape":[1],"data_offsets":${deep(100_000)}}}`), { fn: 'safetensors', shows: ['nests deeper'], type: io.SafetensorsError }),
  loadsFile('metadata nested 100 000 deep', () => st(`{"__metadata__":${deep(100_000)}}`), { fn: 'safetensors', shows: ['nests deeper'], type: io.SafetensorsError }),
  loadsFile('a tensor named __proto__', () => st('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(1)), { fn: 'io.load', shows: ['__proto__'], type: tg.nn.StateDictError }),
  loadsFile('a shape of 2 million dims', () => st(`{"a":{"dtype":"F32","shape":[${new Array(2_000_000).fill(2).join(',')}],"data_offsets":[0,4]}}`, f32(1)), { fn: 'safetensors', shows: ['2000000 items'], type: io.SafetensorsError }),
  loadsFile('a negative dimension', () => st('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', f32(1)), { fn: 'safetensors', shows: ['[-1]'], type: io.SafetensorsError }),
  loadsFile('an F16 tensor', () => st('{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}', f32(1)), { fn: 'safetensors', shows: ['F16'], type: io.SafetensorsError }),
  loadsFile('offsets past the end', () => st('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', f32(2)), { fn: 'safetensors', shows: ['[0, 16]'], type: io.SafetensorsError }),
  loadsFile('overlapping tensors', () => st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', f32(3)), { fn: 'safetensors', shows: ['overlaps'], type: io.SafetensorsError }),
  loadsFile('a header length of 2^64 - 1', () => { const b = st('{}'); new DataView(b.buffer).setBigUint64(0, 2n ** 64n - 1n, true); return b; }, { fn: 'safetensors', shows: ['18446744073709551615'], type: io.SafetensorsError }),
  loadsFile('a header that is not UTF-8', () => { const b = st('{"a":1}'); b[10] = 0xff; return b; }, { fn: 'safetensors', shows: ['UTF-8'], type: io.SafetensorsError }),
  loadsFile('a header that is an array', () => st('[]'), { fn: 'safetensors', shows: ['JSON object'], type: io.SafetensorsError }),
  // tensor records
  ...[null, 42, [], 'weights'].map((v): Case => ({ area, call: `io.saveTensors(${lit(v)}, path)`, act: (s) => io.saveTensors(v as never, s.file), refuse: { fn: 'saveTensors', shows: ['tensors'] } })),
  { area, call: 'io.saveTensors(tensor, path)', act: (s) => io.saveTensors(tg.zeros([2]) as never, s.file), refuse: { fn: 'saveTensors', shows: ['Tensor'] } },
  { area, call: 'io.saveTensors({ w: [1, 2] }, path)', act: (s) => io.saveTensors({ w: [1, 2] } as never, s.file), refuse: { fn: 'saveTensors', shows: ['"w"', 'not a Tensor'] } },
  { area, call: 'io.saveTensors({ __metadata__: t }, path)', act: (s) => io.saveTensors({ __metadata__: tg.zeros([1]) }, s.file), refuse: { fn: 'saveTensors', shows: ['__metadata__', 'reserved'] } },
  { area, call: 'io.saveTensors({ __proto__: t, b: t }, path) (a literal)', act: (s) => io.saveTensors({ __proto__: tg.zeros([1]), b: tg.zeros([1]) } as never, s.file), refuse: { fn: 'saveTensors', shows: ['__proto__'] } },
  { area, call: "io.saveTensors({ e: zeros([5, 0]) }, path) (valid: zero-size)", act: (s) => { io.saveTensors({ e: tg.zeros([5, 0]) }, join(s.dir, 'e.st')); return io.loadTensors(join(s.dir, 'e.st')); }, check: (r) => { const t = (r as tg.io.SafetensorsContents).tensors.e; if (t.shape.join() !== '5,0') throw new Error(`shape [${t.shape}]`); } },
  ...['abc', null, [1, 2, 3]].map((v): Case => ({ area, call: `io.decodeSafetensors(${lit(v)})`, act: () => io.decodeSafetensors(v as never), refuse: { fn: 'decodeSafetensors', shows: ['Uint8Array'] } })),
  { area, call: "io.loadTensors(path, { maxEntries: 0 })", act: (s) => io.loadTensors(s.file, { maxEntries: 0 }), refuse: { fn: 'safetensors', shows: ['maxEntries', '0'] } },
  { area, call: "io.loadTensors(path, { maxHeaderBytes: 'big' })", act: (s) => io.loadTensors(s.file, { maxHeaderBytes: 'big' as never }), refuse: { fn: 'safetensors', shows: ['maxHeaderBytes', '"big"'] } },
  {
    area, call: "io.saveTensors over a good file, failing on a bad tensor",
    act: (s) => io.saveTensors({ a: tg.zeros([2]), b: 'x' as never }, s.file), refuse: { fn: 'saveTensors', shows: ['"b"'] },
  },
];
