/**
 * The inspector beside the graph: the pinned parameter's explanation (which follows every new
 * model), or, with nothing pinned, a hint and a summary of the network.
 */
import type { NetworkModel } from '../src/protocol';
import { renderExplanation } from './card';
import type { Explanations } from './cards';
import { h } from './dom';
import { fmt } from './format';
import type { Notation } from './notation';

export class Inspector {
  readonly element = h('aside', 'inspector');
  private run = 0;

  constructor(private readonly unpin: () => void) {
    this.element.setAttribute('aria-label', 'Inspector');
  }

  render(model: NetworkModel | undefined, pinned: string | null, explanations: Explanations | undefined, notation: Notation): void {
    const run = ++this.run;
    this.element.replaceChildren();
    const heading = h('div', 'inspector-heading', 'Inspector');
    this.element.append(heading);
    if (!model || !explanations) return;
    if (!pinned || !model.params.some((p) => p.name === pinned)) {
      this.element.append(h('p', 'hint', 'Hover a weight or bias to see how backpropagation computes its derivative; click it (or press Enter) to pin it here. Escape unpins.'), summary(model));
      return;
    }
    const unpin = document.createElement('vscode-toolbar-button') as HTMLElement & { icon: string; label: string };
    unpin.icon = 'pin';
    unpin.label = `Unpin ${pinned} (Escape)`;
    unpin.title = unpin.label;
    unpin.classList.add('unpin');
    unpin.addEventListener('click', this.unpin);
    heading.append(unpin);
    const e = explanations.get(pinned);
    if (e instanceof Promise) {
      const waiting = h('p', 'hint', `${pinned}: computing…`);
      this.element.append(waiting);
      void e.then((value) => { if (run === this.run && value) waiting.replaceWith(this.explanation(value, model, notation)); });
    } else {
      this.element.append(this.explanation(e, model, notation));
    }
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
