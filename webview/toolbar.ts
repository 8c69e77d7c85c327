/**
 * The page's toolbar: the network's name, the status (step, loss, why training stopped) in a box of
 * fixed width so the toolbar never reflows as numbers change, the debugger's controls with its
 * icons and keys, and the view toggles. The controls follow the run's real state: disabled when
 * there is no valid network, Step Back and Reset at the first step, Continue turned Pause while
 * running.
 */
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-container/index.js';
import type { StopReason } from '../src/core';
import type { NetworkModel, TrainingAction } from '../src/protocol';
import { h } from './dom';
import { fmt } from './format';

type ToolbarButton = HTMLElement & { icon: string; label: string; checked: boolean; toggleable: boolean };

export interface ToolbarActions {
  control(action: TrainingAction): void;
  fit(): void;
  openText(): void;
}

export interface Toggle {
  icon: string;
  text: string;
  label: string;
  checked(): boolean;
  select(): void;
}

const STOPPED: Record<StopReason, string> = {
  converged: 'converged',
  'max-steps': 'at the step limit',
  diverged: 'diverged: learning rate too large?',
};

export class Toolbar {
  readonly element = h('div', 'toolbar');
  private readonly title = h('span', 'title');
  private readonly status = h('span', 'status');
  private readonly toggles: { button: ToolbarButton; spec: Toggle }[] = [];
  private readonly stepBack: ToolbarButton;
  private readonly step: ToolbarButton;
  private readonly continue: ToolbarButton;
  private readonly reset: ToolbarButton;
  private running = false;

  constructor(actions: ToolbarActions, toggleGroups: Toggle[][]) {
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.stepBack = this.action('debug-step-back', 'Step Back', () => actions.control('stepBack'));
    this.step = this.action('debug-step-over', 'Step (F10)', () => actions.control('step'));
    this.continue = this.action('debug-continue', 'Continue (F5)', () => actions.control(this.running ? 'pause' : 'continue'));
    this.reset = this.action('debug-restart', "Reset to the file's parameters", () => actions.control('reset'));
    for (const [b, name] of [[this.stepBack, 'step-back'], [this.step, 'step'], [this.continue, 'continue'], [this.reset, 'reset']] as const) b.dataset.control = name;
    const tools = document.createElement('vscode-toolbar-container');
    tools.append(this.stepBack, this.step, this.continue, this.reset);
    for (const group of toggleGroups) {
      tools.append(h('span', 'separator'));
      for (const spec of group) tools.append(this.toggle(spec));
    }
    tools.append(h('span', 'separator'), this.action('screen-full', 'Fit to view (0)', actions.fit), this.action('go-to-file', 'Open the text beside', actions.openText));
    this.element.append(this.title, this.status, tools);
    this.show(undefined);
  }

  /** Shows `model`'s name, status and controls; undefined when the file is not a valid network. */
  show(model: NetworkModel | undefined, stale = false): void {
    const controls = [this.stepBack, this.step, this.continue, this.reset];
    if (!model || stale) {
      for (const b of controls) b.toggleAttribute('disabled', true);
      if (!model) { this.title.textContent = ''; this.setStatus(''); }
      else this.setStatus(`step ${model.step}   (the file has an error)`);
      this.setRunning(false);
      return;
    }
    this.title.textContent = model.name;
    this.title.title = model.description || model.name;
    const t = model.training;
    const progress = t.running ? 'running' : t.stopReason ? STOPPED[t.stopReason] : '';
    this.setStatus(`step ${model.step}   ${model.lossSymbol} ${fmt(model.lossValue)}${progress ? `   ${progress}` : ''}`);
    this.setRunning(t.running);
    this.step.toggleAttribute('disabled', t.running);
    this.continue.toggleAttribute('disabled', false);
    this.stepBack.toggleAttribute('disabled', t.running || model.step <= t.earliest);
    this.reset.toggleAttribute('disabled', t.running || model.step <= t.earliest);
  }

  refreshToggles(): void {
    for (const { button, spec } of this.toggles) button.checked = spec.checked();
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
    this.status.title = text;
  }

  /** Continue becomes Pause while running. */
  private setRunning(running: boolean): void {
    this.running = running;
    const b = this.continue;
    b.icon = running ? 'debug-pause' : 'debug-continue';
    b.label = running ? 'Pause (F6)' : 'Continue (F5)';
    b.title = b.label;
    b.dataset.control = running ? 'pause' : 'continue';
  }

  private action(icon: string, label: string, run: () => void): ToolbarButton {
    const b = document.createElement('vscode-toolbar-button') as ToolbarButton;
    b.icon = icon;
    b.label = label;
    b.title = label;
    b.addEventListener('click', () => { if (!b.hasAttribute('disabled')) run(); });
    return b;
  }

  private toggle(spec: Toggle): ToolbarButton {
    const b = document.createElement('vscode-toolbar-button') as ToolbarButton;
    b.icon = spec.icon;
    b.label = spec.label;
    b.title = spec.label;
    // The words fold away in a narrow editor, leaving the icon (the label and tooltip stay).
    b.append(h('span', 'toggle-text', spec.text));
    b.toggleable = true;
    b.checked = spec.checked();
    b.addEventListener('click', () => { spec.select(); this.refreshToggles(); });
    this.toggles.push({ button: b, spec });
    return b;
  }
}
