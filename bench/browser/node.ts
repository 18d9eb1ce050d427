// The Node side of `npm run bench:browser`: the same workload, printed as one JSON line.
import * as tg from 'tsgrad';
import { mlpTraining } from './workload.ts';

const options = JSON.parse(process.argv[2]!);
console.log(JSON.stringify({ info: tg.backendInfo(), rates: mlpTraining(tg, options) }));
