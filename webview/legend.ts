/**
 * What the graph's colours, widths and marks mean, in a small box in the graph's corner that folds
 * to one line: it lives beside the graph, not in the toolbar, so the toolbar keeps its size.
 */
import { h } from './dom';
import type { EdgeMode } from './graph/view';

export class Legend {
  readonly element = document.createElement('details');
  private readonly body = h('div', 'legend-body');

  constructor(open: boolean, onToggle: (open: boolean) => void) {
    this.element.className = 'legend';
    this.element.open = open;
    const summary = document.createElement('summary');
    summary.textContent = 'Legend';
    this.element.append(summary, this.body);
    this.element.addEventListener('toggle', () => onToggle(this.element.open));
  }

  show(mode: EdgeMode, lossSymbol: string): void {
    const what = mode === 'weights' ? 'weight' : `gradient d${lossSymbol}/dw`;
    const row = (swatch: string, text: string): HTMLElement => {
      const r = h('div', 'legend-row');
      r.append(h('span', `swatch ${swatch}`), h('span', '', text));
      return r;
    };
    this.body.replaceChildren(
      row('pos', `positive ${what}`),
      row('neg', `negative ${what}`),
      row('thick', `thicker: larger |${mode === 'weights' ? 'weight' : 'gradient'}|`),
      row('frozen', 'faded or dashed: not trainable'),
      ...(mode === 'gradients' ? [row('arrows', '▲ ▼ the way gradient descent moves it (• stays)')] : []),
    );
  }
}
