// Types for common.mjs, so the TypeScript runner (bench/tsgrad.ts) shares its workloads and timing loop.
export declare const WORKLOADS: string[];
export declare const CONV: { batch: number; inChannels: number; height: number; width: number; filters: number; kernel: number; stride: number; padding: number };
export declare const TRAIN: { batchSize: number; lr: number; beta1: number; beta2: number; eps: number };
export declare const MNIST_CNN: { channels: [number, number]; kernel: number; hidden: number; dropout: number };
export declare const RESNET: { batchSize: number; batches: number; stages: [number, number, number]; lr: number; momentum: number; nesterov: boolean };
export declare const OPTIM: {
  size: number;
  sgd: { lr: number };
  momentum: { lr: number; momentum: number };
  adagrad: { lr: number; eps: number };
  rmsprop: { lr: number; alpha: number; eps: number };
  adam: { lr: number; beta1: number; beta2: number; eps: number };
};
export declare const MNIST_SAMPLES: number;
export declare function seededArray(n: number, seed: number): Float32Array;
export declare function mnistBatches(batchSize?: number): { images: Float32Array; labels: Int32Array }[];
export declare function matmulSize(workload: string): number | null;
export declare function measure(
  step: (i: number) => unknown, workPerStep: number, opts?: { finish?: () => unknown },
): Promise<number[]>;
export declare function median(xs: number[]): number;
export declare function peakRssMB(): number;
export declare function emit(obj: unknown): void;
export declare function result(
  framework: string, backend: string, workload: string, unit: string, rates: number[], extra?: Record<string, unknown>,
): Record<string, unknown>;
export declare function runCli(
  framework: string, backend: string, workload: string,
  handlers: Record<string, (workload: string) => Promise<unknown>>, usage: string,
): Promise<void>;
