/** The gpu backend's convolution and pooling kernels against the cpu backend, in real GLSL (headless-gl) and in gpu.js's cpu mode. */
import { describe } from 'vitest';
import { nnCases } from './nn-cases.ts';
import { cpuModeBackend, glAvailable, glBackend, noticeIfSkipped } from './support.ts';

noticeIfSkipped('nn.test.ts');

describe.skipIf(!glAvailable)('gpu nn kernels vs cpu: headlessgl (Mesa GLSL)', () => nnCases(glBackend, true));

describe('gpu nn kernels vs cpu: gpu.js cpu mode', () => nnCases(cpuModeBackend, false));
