/** Every bad-input case, by area; each area's table lives in its own file. */
import type { Case } from '../harness.ts';
import { dataCases } from './data.ts';
import { trainCases } from './train.ts';

export const allCases: Case[] = [...dataCases, ...trainCases];
