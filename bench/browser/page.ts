// The benchmark page: tsgrad (bundled for browsers) and the shared workload.
import * as tg from 'tsgrad';
import { mlpTraining, type TimingOptions } from './workload.ts';

(globalThis as unknown as { bench: unknown }).bench = {
  run: (options: TimingOptions) => ({ info: tg.backendInfo(), rates: mlpTraining(tg, options) }),
};
