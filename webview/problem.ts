/**
 * What the page shows when the text is not a valid network: a banner with the message, its line
 * and column and "Go to error" over the last graph (dimmed); for a file that is not a network at
 * all, a short explanation of the format; for an empty file, an offer to create a network there.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { HostMessage } from '../src/protocol';
import { h } from './dom';
import { post } from './host';

/** A problem with the text (the host's `problem` message when there is one). */
export type Problem = Omit<HostMessage & { type: 'problem' }, 'problem'> & { problem: NonNullable<(HostMessage & { type: 'problem' })['problem']> };

function button(text: string, onClick: () => void, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

export class ProblemView {
  readonly banner = h('div', 'banner');
  readonly page = h('div', 'not-network');

  constructor() {
    this.banner.setAttribute('role', 'alert');
    this.banner.hidden = true;
    this.page.hidden = true;
  }

  /** Shows `problem`; returns whether it took the whole page (no graph to dim). */
  show(problem: Problem, hasGraph: boolean): boolean {
    const { message, line, column } = problem.problem;
    delete this.page.dataset.waitsForTrust;
    delete this.banner.dataset.waitsForTrust;
    if (problem.empty || (problem.notNetwork && !hasGraph)) {
      this.banner.hidden = true;
      this.page.hidden = false;
      if (problem.empty) {
        this.page.replaceChildren(
          h('h1', 'not-network-title', 'This file is empty'),
          h('p', '', 'Create a network here: New Network asks for its inputs, hidden layers and outputs, and writes a network with seeded weights and a small dataset to edit (one edit, which undo takes back).'),
          button('Create a network here...', () => post({ type: 'newNetwork' })),
          button('Open an example network', () => post({ type: 'openExample' }), true),
        );
      } else {
        this.page.replaceChildren(
          h('h1', 'not-network-title', 'This file is not a network'),
          h('p', '', `Backprop Debugger reads .nn.json files: a JSON object with "inputs", "outputs", "layers" (units, activation, weights, biases) and "data". This one says: ${message} (line ${line}, column ${column}).`),
          button('Open an example network', () => post({ type: 'openExample' })),
          button('Open the text', () => post({ type: 'openText' }), true),
        );
      }
      return true;
    }
    this.page.hidden = true;
    this.banner.hidden = false;
    if (problem.waitsForTrust !== undefined) {
      // Restricted Mode: not an error in the file; what it names is read once the folder is trusted.
      const file = problem.waitsForTrust;
      const says = `This network's samples are in "${file}", which is read once you trust this folder: a network file may come from anyone, so what it names elsewhere waits. A network with its data written in the file trains as usual in Restricted Mode.`;
      const trust = button('Manage Workspace Trust', () => post({ type: 'manageTrust' }));
      const where = button('Show in the text', () => post({ type: 'goToError' }), true);
      if (!hasGraph) {
        this.banner.hidden = true;
        this.page.hidden = false;
        this.page.dataset.waitsForTrust = file;
        this.page.replaceChildren(h('h1', 'not-network-title', 'Restricted Mode: the data waits for trust'), h('p', '', says), trust, where);
        return true;
      }
      this.page.hidden = true;
      this.banner.hidden = false;
      this.banner.dataset.waitsForTrust = file;
      this.banner.replaceChildren(h('span', 'codicon codicon-shield'), h('span', 'banner-text', `Restricted Mode: ${says}`), trust, where);
      return false;
    }
    this.banner.replaceChildren(
      h('span', 'codicon codicon-error'),
      h('span', 'banner-text', message),
      h('span', 'banner-where', `line ${line}, column ${column}`),
      button('Go to error', () => post({ type: 'goToError' })),
    );
    return false;
  }

  clear(): void {
    delete this.banner.dataset.waitsForTrust;
    delete this.page.dataset.waitsForTrust;
    this.banner.hidden = true;
    this.page.hidden = true;
  }
}

/**
 * The training worker gave up (it kept stopping): the page says so, keeps the last graph, and
 * offers Retry, which starts it again and loads the file afresh.
 */
export class WorkerBanner {
  readonly element = h('div', 'worker-banner');

  constructor(private readonly retry: () => void) {
    this.element.setAttribute('role', 'alert');
    this.element.hidden = true;
  }

  show(failure: string | null): void {
    this.element.hidden = failure === null;
    if (failure === null) { this.element.replaceChildren(); return; }
    this.element.replaceChildren(
      h('span', 'codicon codicon-error'),
      h('span', 'banner-text', `${failure} Training is stopped; the graph shows the last state.`),
      button('Retry', this.retry),
    );
  }
}
