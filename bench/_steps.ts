import { trainingStep } from './training-step.ts';
const kind = (process.argv[2] ?? 'mlp') as 'mlp' | 'cnn';
const n = Number(process.argv[3] ?? 10);
const step = trainingStep(kind);
for (let i = 0; i < n; i++) step(i);
