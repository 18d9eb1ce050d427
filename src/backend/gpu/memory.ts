/**
 * Freeing device memory that no tensor references any more.
 *
 * A texture is freed when the GpuData wrapping it is garbage collected. A plain
 * FinalizationRegistry is not enough for that: the garbage collector never sees texture
 * memory (it lives in the GL driver), so it rarely runs, and finalization callbacks only
 * run when the event loop turns — never inside a synchronous training loop such as fit(),
 * where a small MLP would leak gigabytes per epoch. So the runtime counts the bytes it has
 * allocated and, past a budget, runs a full collection and then the registry's dead
 * entries synchronously (`cleanupSome`). Node exposes both only behind V8 flags, which
 * apply to new contexts: the collector and the registry come from a fresh `vm` context.
 * Where that is unavailable (another JS engine), textures are freed when the event loop
 * turns, as before.
 */
import { syncCollector } from '#platform';

/** What can be freed: a gpu.js texture. */
export interface Deletable {
  delete(): void;
}

interface SweepingRegistry {
  register(target: object, held: Deletable, token: object): void;
  unregister(token: object): boolean;
  cleanupSome?(): void;
}

/** Bytes of new textures after which dead ones are swept. */
const SWEEP_BUDGET = 256 * 1024 * 1024;

/** The engine hooks, made once per process. */
let hooks: { registry: SweepingRegistry; gc: (() => void) | null } | null = null;

function engineHooks(): { registry: SweepingRegistry; gc: (() => void) | null } {
  if (hooks) return hooks;
  const free = (t: Deletable): void => t.delete();
  const collector = syncCollector();
  hooks = collector
    ? { registry: new collector.Registry<Deletable>(free), gc: collector.gc }
    : { registry: new FinalizationRegistry<Deletable>(free), gc: null };
  return hooks;
}

/** Tracks device allocations and frees the ones whose owner has been collected. */
export class TextureReclaimer {
  private allocated = 0;
  private readonly hooks = engineHooks();

  /** Frees `texture` once `owner` is unreachable; `bytes` counts towards the next sweep. */
  track(owner: object, texture: Deletable, bytes: number): void {
    this.hooks.registry.register(owner, texture, owner);
    this.allocated += bytes;
    if (this.allocated > SWEEP_BUDGET) this.sweep();
  }

  /** Stops tracking (the owner freed its texture itself). */
  untrack(owner: object): void {
    this.hooks.registry.unregister(owner);
  }

  /** True when dead textures can be freed synchronously, mid-loop. */
  get sweepsSynchronously(): boolean {
    return this.hooks.gc !== null;
  }

  /** Collects garbage and frees every texture whose owner is gone, right now. */
  sweep(): void {
    this.allocated = 0;
    const { gc, registry } = this.hooks;
    if (!gc) return;
    gc();
    registry.cleanupSome!();
  }
}
