/**
 * The page's toolbar: the network's name, the numbers (step, loss, why training stopped) in a box of
 * fixed width so the toolbar never reflows as they change, the debugger's controls with its icons
 * and keys, and the view toggles. The controls follow the run's real state: disabled when there is
 * no valid network, Step Back and Reset at the first step, only Pause while running.
 */
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-container/index.js';
import type { StopReason } from '../src/core';
import type { NetworkModel, TrainingAction } from '../src/protocol';
import { h } from './dom';
import { fmt } from './format';

type ToolbarButton = HTMLElement & { icon: string; label: string; checked: boolean; toggleable: boolean };

export interface ToolbarActions {
  /** `at`: when the person clicked, in epoch milliseconds (see ControlTiming). */
  control(action: TrainingAction, at: number): void;
  goTo(): void;
  writeParameters(): void;
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

type Control = 'continue' | 'step' | 'stepInto' | 'stepOut' | 'stepBack' | 'reverseContinue' | 'reset' | 'goTo' | 'write';

export class Toolbar {
  readonly element = h('div', 'toolbar');
  private readonly title = h('h1', 'title');
  private readonly status = h('span', 'status');
  private readonly toggles: { button: ToolbarButton; spec: Toggle }[] = [];
  private readonly buttons: Record<Control, ToolbarButton>;
  private running = false;

  constructor(actions: ToolbarActions, toggleGroups: Toggle[][]) {
    // The debugger's controls, in its toolbar's order, with its icons and keys.
    this.buttons = {
      continue: this.action('debug-continue', 'Continue (F5)', (at) => actions.control(this.running ? 'pause' : 'continue', at)),
      step: this.action('debug-step-over', 'Step Over: one step (F10)', (at) => actions.control('step', at)),
      stepInto: this.action('debug-step-into', 'Step Into: the forward pass, the loss, the backward pass and the update, one phase at a time (F11)', (at) => actions.control('stepInto', at)),
      stepOut: this.action('debug-step-out', 'Step Out: finish this step (Shift+F11)', (at) => actions.control('stepOut', at)),
      stepBack: this.action('debug-step-back', 'Step Back', (at) => actions.control('stepBack', at)),
      reverseContinue: this.action('debug-reverse-continue', 'Reverse Continue: back to the last step where a breakpoint would have stopped', (at) => actions.control('reverseContinue', at)),
      reset: this.action('debug-restart', "Reset to the file's parameters", (at) => actions.control('reset', at)),
      goTo: this.action('history', 'Go to Step...', actions.goTo),
      write: this.action('save', 'Write the parameters to the file (one edit; undo takes it back)', actions.writeParameters),
    };
    const names: Record<Control, string> = { continue: 'continue', step: 'step', stepInto: 'step-into', stepOut: 'step-out', stepBack: 'step-back', reverseContinue: 'reverse-continue', reset: 'reset', goTo: 'go-to', write: 'write' };
    for (const [key, b] of Object.entries(this.buttons) as [Control, ToolbarButton][]) b.dataset.control = names[key];
    const b = this.buttons;
    const tools = document.createElement('vscode-toolbar-container');
    tools.append(b.continue, b.step, b.stepInto, b.stepOut, b.stepBack, b.reverseContinue, b.reset, b.goTo);
    for (const group of toggleGroups) {
      tools.append(h('span', 'separator'));
      for (const spec of group) tools.append(this.toggle(spec));
    }
    tools.append(h('span', 'separator'), this.action('screen-full', 'Fit to view (0)', actions.fit), this.action('go-to-file', 'Open the text beside', actions.openText), b.write);
    this.element.append(this.title, this.status, tools);
    this.show(undefined);
  }

  /** Shows `model`'s name, numbers and controls; undefined when there is no network yet, `stale` when the file is broken. */
  show(model: NetworkModel | undefined, stale = false): void {
    if (!model || stale) {
      for (const b of Object.values(this.buttons)) b.toggleAttribute('disabled', true);
      // No network: no heading either (an empty one is a stop on a screen reader's map that says nothing).
      if (!model) { this.title.textContent = ''; this.title.hidden = true; this.setStatus(''); }
      else this.setStatus(`step ${model.step}   (the file has an error)`);
      this.setRunning(false);
      // Pause stays possible: a broken edit pauses Continue, but a page must never be unable to stop it.
      this.buttons.continue.toggleAttribute('disabled', !this.running);
      return;
    }
    this.title.textContent = model.name;
    this.title.hidden = model.name === '';
    this.title.title = model.description || model.name;
    const t = model.training;
    const progress = t.running ? 'running' : t.stopReason ? STOPPED[t.stopReason] : '';
    this.setStatus(`step ${model.step}   ${model.lossSymbol} ${fmt(model.lossValue)}${progress ? `   ${progress}` : ''}`);
    this.setRunning(t.running);
    const back = model.step > t.earliest || model.phase !== null;
    const b = this.buttons;
    const enabled: Record<Control, boolean> = {
      continue: true,
      step: !t.running,
      stepInto: !t.running,
      stepOut: !t.running && model.phase !== null,
      stepBack: !t.running && back,
      reverseContinue: !t.running && back,
      reset: !t.running && back,
      goTo: !t.running,
      write: !t.running,
    };
    for (const [key, on] of Object.entries(enabled) as [Control, boolean][]) b[key].toggleAttribute('disabled', !on);
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
    const b = this.buttons.continue;
    b.icon = running ? 'debug-pause' : 'debug-continue';
    b.label = running ? 'Pause (F6)' : 'Continue (F5)';
    b.title = b.label;
    b.dataset.control = running ? 'pause' : 'continue';
  }

  /** A button; `run` is told when it was clicked, in epoch milliseconds (the event's own time, not when it was handled). */
  private action(icon: string, label: string, run: (at: number) => void): ToolbarButton {
    const b = document.createElement('vscode-toolbar-button') as ToolbarButton;
    b.icon = icon;
    b.label = label;
    b.title = label;
    b.addEventListener('click', (ev) => { if (!b.hasAttribute('disabled')) run(performance.timeOrigin + ev.timeStamp); });
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
