/** Every bad-input case, by area; each area's table lives in its own file. */
import type { Case } from '../harness.ts';
import { tensorCases } from './tensor.ts';
import { opsCases } from './ops.ts';
import { nnCases } from './nn.ts';
import { optimCases } from './optim.ts';
import { dataCases } from './data.ts';
import { trainCases } from './train.ts';
import { ioCases } from './io.ts';

export const allCases: Case[] = [...tensorCases, ...opsCases, ...nnCases, ...optimCases, ...dataCases, ...trainCases, ...ioCases];
