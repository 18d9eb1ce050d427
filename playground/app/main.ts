/**
 * The playground's entry point: three panels behind accessible tabs (arrow keys move
 * between them), each built the first time it is shown, and `?autorun` to start the
 * shown panel's work at once.
 */
import * as tg from 'tsgrad';
import './style.css';
import { BenchTab } from './bench/bench-tab.ts';
import { LabTab } from './lab/lab-tab.ts';
import { TrainTab } from './train/train-tab.ts';
import { byId } from './ui/dom.ts';
import { getParam, hasFlag, setParam } from './url-state.ts';

type TabId = 'train' | 'lab' | 'bench';
const TABS: TabId[] = ['train', 'lab', 'bench'];

let train: TrainTab | null = null;
let lab: LabTab | null = null;
let bench: BenchTab | null = null;

/** Builds a panel's controller the first time the panel is shown. */
function open(id: TabId, autorun: boolean): void {
  if (id === 'train') {
    const first = !train;
    train ??= new TrainTab();
    if (autorun) void train.start();
    else if (first) train.prefetch();
  } else if (id === 'lab') {
    // The lab is cheap: it races as soon as it is first shown.
    if (!lab) {
      lab = new LabTab();
      void lab.run();
    } else if (autorun) void lab.run();
  } else {
    bench ??= new BenchTab();
    if (autorun) void bench.run();
  }
}

function select(id: TabId, { focus = false, autorun = false } = {}): void {
  for (const t of TABS) {
    const tab = byId(`tab-${t}`);
    const on = t === id;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    byId(`panel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  setParam('tab', id === 'train' ? null : id);
  open(id, autorun);
}

function wireTabs(): void {
  for (const [i, t] of TABS.entries()) {
    const tab = byId(`tab-${t}`);
    tab.addEventListener('click', () => select(t));
    tab.addEventListener('keydown', (e) => {
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      select(TABS[(to + TABS.length) % TABS.length]!, { focus: true });
    });
  }
}

function showRuntime(): void {
  const info = tg.backendInfo();
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  byId('runtime-info').textContent = `This browser: ${info.mode}, ${threads}${crossOriginIsolated ? ', cross-origin isolated' : ''}.`;
}

wireTabs();
showRuntime();
const wanted = getParam('tab');
select(TABS.includes(wanted as TabId) ? (wanted as TabId) : 'train', { autorun: hasFlag('autorun') });
