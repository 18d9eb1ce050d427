/** The gpu backend's core kernels against the cpu backend, in real GLSL (headless-gl) and in gpu.js's cpu mode. */
import { describe } from 'vitest';
import { coreCases } from './core-cases.ts';
import { cpuModeBackend, glAvailable, glBackend, noticeIfSkipped } from './support.ts';

noticeIfSkipped('core.test.ts');

describe.skipIf(!glAvailable)('gpu core kernels vs cpu: headlessgl (Mesa GLSL)', () => coreCases(glBackend, true));

describe('gpu core kernels vs cpu: gpu.js cpu mode', () => coreCases(cpuModeBackend, false));
