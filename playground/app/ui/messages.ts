/**
 * Where a panel says what went wrong (or what it did) in words, instead of the console:
 * a bad learning rate, a model file that does not fit, a backend that would not start.
 * Errors are announced to screen readers (role=alert); notes politely (role=status).
 */
import { h } from './dom.ts';

export class Messages {
  private readonly errors: HTMLElement;
  private readonly notes: HTMLElement;

  constructor(container: HTMLElement) {
    this.errors = h('div', { class: 'messages errors', role: 'alert' });
    this.notes = h('div', { class: 'messages notes', role: 'status' });
    container.append(this.errors, this.notes);
  }

  /** Shows an error under a key; a later error with the same key replaces it. */
  error(key: string, what: string, err?: unknown): void {
    const detail = err === undefined ? '' : `: ${describeError(err)}`;
    this.show(this.errors, key, `${what}${detail}`, 'error');
  }

  note(key: string, text: string): void {
    this.show(this.notes, key, text, 'note');
  }

  /** Removes the message under `key` (the problem was fixed). */
  clear(key: string): void {
    for (const list of [this.errors, this.notes]) list.querySelector(`[data-key="${CSS.escape(key)}"]`)?.remove();
  }

  private show(list: HTMLElement, key: string, text: string, kind: string): void {
    this.clear(key);
    const close = h('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss message' }, '×');
    const item = h('p', { class: `message ${kind}`, 'data-key': key }, h('span', {}, text), close);
    close.addEventListener('click', () => item.remove());
    list.append(item);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
