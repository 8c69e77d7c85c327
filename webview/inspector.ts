/**
 * The inspector beside the graph: the pinned parameter's explanation (which follows every new
 * model), or, with nothing pinned, a hint and a summary of the network.
 */
import type { NetworkModel } from '../src/protocol';
import { renderExplanation } from './card';
import { cardKey, type Explanations } from './cards';
import { h } from './dom';
import { fmt } from './format';
import type { Notation } from './notation';

export class Inspector {
  readonly element = h('section', 'inspector');
  private run = 0;
  /** What is drawn now, and the explanation it was drawn from: rebuilt only when either changes (frames come many times a second while training). */
  private drawn = '';
  private drawnFrom: object | undefined;

  constructor(private readonly unpin: () => void) {
    this.element.setAttribute('aria-label', 'Inspector');
  }

  render(model: NetworkModel | undefined, pinned: string | null, explanations: Explanations | undefined, notation: Notation): void {
    if (!model || !explanations) { this.draw('empty', () => []); return; }
    if (!pinned || !model.params.some((p) => p.name === pinned)) {
      this.draw(`summary|${model.step}|${model.lossValue}|${model.training.running}`, () => [h('p', 'hint', 'Hover a weight or bias to see how backpropagation computes its derivative; click it (or press Enter) to pin it here. Escape unpins.'), summary(model)]);
      return;
    }
    const e = explanations.get(pinned);
    if (e === null) {
      this.draw(`waiting|${pinned}`, () => [h('p', 'hint', `${pinned}: its numbers come with the next update while training runs…`)], pinned);
    } else if (e instanceof Promise) {
      const key = `asking|${pinned}|${model.step}|${notation}`;
      if (key === this.drawn) return;
      const waiting = h('p', 'hint', `${pinned}: computing…`);
      this.draw(key, () => [waiting], pinned);
      const run = this.run;
      e.then(
        (value) => { if (run === this.run && value) waiting.replaceWith(this.explanation(value, model, notation)); },
        (error: Error) => { if (run === this.run) waiting.textContent = `${pinned}: could not be computed (${error.message.split('\n', 1)[0]})`; },
      );
    } else {
      this.draw(`${cardKey(e, model, notation)}|${model.training.running}`, () => [this.explanation(e, model, notation)], pinned, e);
    }
  }

  /** Replaces what is shown when `key` differs from what is drawn. */
  private draw(key: string, build: () => HTMLElement[], pinned?: string, from?: object): void {
    if (key === this.drawn && from === this.drawnFrom) return;
    this.drawn = key;
    this.drawnFrom = from;
    this.run++;
    const heading = h('h2', 'inspector-heading', 'Inspector');
    if (pinned) {
      const unpin = document.createElement('vscode-toolbar-button') as HTMLElement & { icon: string; label: string };
      unpin.icon = 'pin';
      unpin.label = `Unpin ${pinned} (Escape)`;
      unpin.title = unpin.label;
      unpin.classList.add('unpin');
      unpin.addEventListener('click', this.unpin);
      heading.append(unpin);
    }
    this.element.replaceChildren(heading, ...build());
  }

  /**
   * An explanation sized to the inspector: when the table is wider than the inspector, the data
   * columns fold away (a button brings them back), so the factors, the product and the sum stay
   * in view.
   */
  private explanation(...args: Parameters<typeof renderExplanation>): HTMLElement {
    const root = renderExplanation(...args);
    requestAnimationFrame(() => {
      const scroller = root.querySelector<HTMLElement>('.terms-scroll');
      if (scroller && scroller.scrollWidth > scroller.clientWidth + 1) root.classList.add('fold-data');
    });
    return root;
  }
}

function summary(m: NetworkModel): HTMLElement {
  const box = h('div', 'summary');
  if (m.description) box.append(h('p', 'description', m.description));
  const dl = h('dl');
  const row = (k: string, v: string): void => { dl.append(h('dt', '', k), h('dd', '', v)); };
  row('shape', [String(m.inputs.length), ...m.layers.map((l) => `${l.units} ${l.activation}`)].join(' → '));
  row('parameters', `${m.params.length} (${m.params.filter((p) => p.trainable).length} trainable)`);
  row('samples', String(m.samples));
  row('loss', `${m.lossSymbol} = ${fmt(m.lossValue)}`);
  row('learning rate', fmt(m.learningRate));
  box.append(dl);
  return box;
}
