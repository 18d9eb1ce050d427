/** The gpu backend's primitive kernels and elementwise programs against the cpu backend, in real GLSL (headless-gl) and in gpu.js's cpu mode. */
import { describe } from 'vitest';
import { coreCases } from './core-cases.ts';
import { programCases } from './program-cases.ts';
import { cpuModeBackend, glAvailable, glBackend, noticeIfSkipped } from './support.ts';

noticeIfSkipped('core.test.ts');

describe.skipIf(!glAvailable)('gpu kernels vs cpu: headlessgl (Mesa GLSL)', () => {
  coreCases(glBackend, true);
  programCases(glBackend, true);
});

describe('gpu kernels vs cpu: gpu.js cpu mode', () => {
  coreCases(cpuModeBackend, false);
  programCases(cpuModeBackend, false);
});
