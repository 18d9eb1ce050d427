/** The gpu backend's fused optimizer kernels against the cpu backend, in real GLSL (headless-gl) and in gpu.js's cpu mode. */
import { describe } from 'vitest';
import { optimCases } from './optim-cases.ts';
import { cpuModeBackend, glAvailable, glBackend, noticeIfSkipped } from './support.ts';

noticeIfSkipped('optim.test.ts');

describe.skipIf(!glAvailable)('gpu optim kernels vs cpu: headlessgl (Mesa GLSL)', () => optimCases(glBackend, true));

describe('gpu optim kernels vs cpu: gpu.js cpu mode', () => optimCases(cpuModeBackend, false));
