/**
 * The Breakpoints list beside the graph, like VS Code's Breakpoints view: add, edit in place (Enter
 * applies, Escape cancels, a malformed condition's error shows under it with its column), toggle,
 * remove, hit counts, a hit condition per breakpoint, and the built-in conditions with their
 * thresholds. The page owns no breakpoint state: every change goes to the host as the whole list,
 * and the list is drawn from what the host sends back (with the worker's verdicts and hits).
 */
import type { BreakpointsView } from '../src/protocol';
import { parseBreakpointText, typedBreakpoint as typed } from '../src/session/breakpointText';
import type { BreakpointSpec, BreakpointStatus, BuiltinKind, BuiltinSettings } from '../src/session/breakpointTypes';
import { h } from './dom';
import type { Notation } from './notation';

export class BreakpointsPanel {
  /**
   * A section whose heading is a disclosure button, with the list's tools beside it (not inside a
   * <summary>: a control inside another control is out of reach for assistive technology).
   */
  readonly element = h('section', 'bp-panel');
  private readonly foldButton = h('button', 'bp-fold');
  private readonly body = h('div', 'bp-body');
  private readonly list = h('div', 'bp-list');
  private readonly builtinList = h('div', 'bp-builtins');
  /**
   * The built-in conditions, folded under one line that says which are on: nine rows of thresholds
   * took the side column's room from the pinned card. A hit opens it, so the stop's cause shows.
   */
  private readonly builtins = document.createElement('details');
  private readonly builtinSummary = document.createElement('summary');
  private view: BreakpointsView | undefined;
  /** The breakpoints that stopped the run last: their rows are highlighted like the current line. */
  private hit = new Set<string>();
  /** The row being edited (its id, or 'new'), kept across redraws so a frame does not close it. */
  private editing: string | undefined;
  /** The edit-in-place row while it is open: kept across redraws, with what is typed in it. */
  private editorRow: HTMLElement | undefined;
  private runKey = '';
  private nextId = 1;

  constructor(private readonly send: (specs: BreakpointSpec[], builtins: BuiltinSettings) => void, open: boolean, private readonly onToggle: (open: boolean) => void) {
    this.element.setAttribute('aria-labelledby', 'bp-heading');
    const heading = h('h2', 'bp-heading');
    heading.id = 'bp-heading';
    this.foldButton.type = 'button';
    this.foldButton.id = 'bp-fold';
    this.foldButton.setAttribute('aria-controls', 'bp-body');
    this.foldButton.append(h('span', 'codicon codicon-chevron-right'), h('span', 'bp-title', 'Breakpoints'));
    this.foldButton.addEventListener('click', () => { this.open = !this.open; onToggle(this.open); });
    heading.append(this.foldButton);
    this.body.id = 'bp-body';
    this.open = open;
    const tools = h('span', 'bp-tools');
    tools.append(
      this.tool('add', 'Add a breakpoint: a step (175), every N steps (every 50), a condition (loss < 0.01), watch w3, or a phase of each step (at forward 2)', () => this.edit('new')),
      this.tool('activate-breakpoints', 'Enable or disable every breakpoint', () => this.toggleAll()),
      this.tool('close-all', 'Remove every breakpoint', () => this.update(() => [])),
    );
    const head = h('div', 'bp-head');
    head.append(heading, tools);
    this.builtins.className = 'bp-builtins-section';
    this.builtinSummary.textContent = 'Built-in conditions';
    this.builtins.append(this.builtinSummary, this.builtinList);
    this.body.append(this.list, this.builtins);
    this.element.append(head, this.body);
  }

  /** Whether the list is unfolded (kept with the page's state). */
  get open(): boolean {
    return this.element.classList.contains('open');
  }

  set open(open: boolean) {
    this.element.classList.toggle('open', open);
    this.foldButton.setAttribute('aria-expanded', String(open));
    this.body.hidden = !open;
  }

  private tool(icon: string, label: string, run: () => void): HTMLElement {
    const b = h('button', `bp-tool codicon codicon-${icon}`);
    b.type = 'button';
    b.title = label;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', (ev) => { ev.preventDefault(); ev.stopPropagation(); if (!this.open) { this.open = true; this.onToggle(true); } run(); });
    return b;
  }

  /** Draws the list as the host sent it; `hits`: the ids of the breakpoints the run last stopped on. */
  show(view: BreakpointsView, hits: readonly string[] = [...this.hit]): void {
    this.view = view;
    this.hit = new Set(hits);
    for (const spec of view.specs) {
      const n = /^bp(\d+)$/.exec(spec.id);
      if (n) this.nextId = Math.max(this.nextId, Number(n[1]) + 1);
    }
    this.render();
  }

  /**
   * From each frame: the ids the run stopped on (their rows are highlighted) and the hit counts.
   * Redrawn only when they changed, so a breakpoint or threshold being typed is left alone.
   */
  setRun(hits: readonly string[], statuses: readonly BreakpointStatus[]): void {
    const key = JSON.stringify([hits, statuses.map((s) => [s.id, s.hits, s.trueNow])]);
    if (key === this.runKey) return;
    this.runKey = key;
    this.hit = new Set(hits);
    if (!this.view) return;
    const now = new Map(statuses.map((s) => [s.id, s]));
    this.view = { ...this.view, statuses: this.view.statuses.map((s) => ({ ...s, hits: now.get(s.id)?.hits ?? s.hits, trueNow: now.get(s.id)?.trueNow })) };
    this.render();
  }

  /** The breakpoints at a step, for the loss chart's gutter (disabled ones drawn hollow). */
  get stepBreakpoints(): { step: number; enabled: boolean }[] {
    return (this.view?.specs ?? []).flatMap((s) => (s.kind === 'step' ? [{ step: s.step, enabled: s.enabled }] : []));
  }

  /** The loss chart's gutter: sets a breakpoint at `step`, or clears the one there (as a click in the editor's gutter does). */
  toggleStep(step: number): void {
    this.update((specs) => {
      const here = specs.filter((s) => s.kind === 'step' && s.step === step);
      return here.length > 0 ? specs.filter((s) => !here.includes(s)) : [...specs, { id: `bp${this.nextId++}`, enabled: true, kind: 'step', step }];
    });
  }

  private update(change: (specs: BreakpointSpec[]) => BreakpointSpec[], builtins?: BuiltinSettings): void {
    if (!this.view) return;
    this.send(change([...this.view.specs]), builtins ?? this.view.builtins);
  }

  private toggleAll(): void {
    this.update((specs) => {
      const enable = specs.some((s) => !s.enabled);
      return specs.map((s) => ({ ...s, enabled: enable }));
    });
  }

  private edit(id: string): void {
    this.editing = id;
    this.editorRow = undefined;
    this.render();
  }

  /** In 3Blue1Brown's notation: which plain name (the one expressions use) is which. */
  private alias = '';

  /** The notation the graph and cards use, and an example parameter in it ("w3 is w⁽²⁾₀₀"). */
  setNames(notation: Notation, example: { plain: string; shown: string } | null): void {
    const alias = notation === '3b1b' && example && example.plain !== example.shown
      ? `Conditions and watches use the plain names: ${example.plain} is ${example.shown}; the cards give both.`
      : '';
    if (alias === this.alias) return;
    this.alias = alias;
    this.render();
  }

  private render(): void {
    const view = this.view;
    if (!view) return;
    const statuses = new Map(view.statuses.map((s) => [s.id, s]));
    const describe = (spec: BreakpointSpec): string => view.labels[spec.id] ?? typed(spec);
    // The open editor moves into the new list as it is; its focus and caret go with it.
    const typing = this.editorRow?.contains(document.activeElement) ? document.activeElement as HTMLInputElement : undefined;
    const caret = typing ? [typing.selectionStart, typing.selectionEnd] as const : undefined;
    this.list.replaceChildren();
    for (const spec of view.specs) {
      const status = statuses.get(spec.id);
      if (this.editing === spec.id) { this.list.append(this.editor(spec)); continue; }
      const row = h('div', 'bp-row');
      row.dataset.breakpoint = spec.id;
      row.classList.toggle('disabled', !spec.enabled);
      row.classList.toggle('hit', this.hit.has(spec.id));
      row.classList.toggle('unverified', status?.verified === false);
      const toggle = h('button', `bp-dot codicon ${status?.verified === false ? 'codicon-debug-breakpoint-unverified' : spec.enabled ? 'codicon-debug-breakpoint' : 'codicon-debug-breakpoint-disabled'}`);
      toggle.type = 'button';
      toggle.setAttribute('role', 'checkbox');
      toggle.setAttribute('aria-checked', String(spec.enabled));
      toggle.setAttribute('aria-label', `${spec.enabled ? 'Disable' : 'Enable'} the breakpoint ${describe(spec)}`);
      toggle.title = toggle.getAttribute('aria-label')!;
      toggle.addEventListener('click', () => this.update((specs) => specs.map((s) => (s.id === spec.id ? { ...s, enabled: !s.enabled } : s))));
      const label = h('span', 'bp-label', describe(spec));
      label.tabIndex = 0;
      label.title = 'Double-click or Enter to edit';
      label.addEventListener('dblclick', () => this.edit(spec.id));
      label.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === 'F2') { ev.preventDefault(); this.edit(spec.id); } });
      const hits = h('span', 'bp-hits', `${spec.hitCondition ? `on hit ${spec.hitCondition} · ` : ''}hits ${status?.hits ?? 0}`);
      const remove = h('button', 'bp-remove codicon codicon-close');
      remove.type = 'button';
      remove.setAttribute('aria-label', `Remove the breakpoint ${describe(spec)}`);
      remove.title = 'Remove';
      remove.addEventListener('click', () => this.update((specs) => specs.filter((s) => s.id !== spec.id)));
      row.append(toggle, label, hits, remove);
      this.list.append(row);
      if (status?.verified === false && status.message) {
        const error = h('div', 'bp-error', status.message);
        error.setAttribute('role', 'alert');
        this.list.append(error);
      }
      // A condition that already holds breaks only once it has stopped holding and holds again:
      // say so, and offer the other rule.
      if (spec.kind === 'condition' && !spec.whileTrue && spec.enabled && status?.trueNow) {
        const note = h('div', 'bp-note', 'true now: stops when it next becomes true ');
        const instead = h('button', 'bp-link', 'stop while true');
        instead.type = 'button';
        instead.setAttribute('aria-label', `stop while true: stop at every step while ${spec.expression} holds`);
        instead.addEventListener('click', () => this.update((specs) => specs.map((s) => (s.id === spec.id && s.kind === 'condition' ? { ...s, whileTrue: true } : s))));
        note.append(instead);
        this.list.append(note);
      }
    }
    if (this.editing === 'new') this.list.append(this.editor(undefined));
    if (view.specs.length === 0 && this.editing !== 'new') this.list.append(h('div', 'bp-empty', 'No breakpoints. + adds one: a step (175), every N steps (every 50), a condition (abs(dw1) > 10 && step > 100), watch w3, or a phase of each step (at loss).'));
    // Expressions name parameters plainly (as the CLI and the Debug Console do): in 3Blue1Brown's
    // notation, say which name is which, so w⁽²⁾₀₀ on the graph is findable as w3 here.
    if (this.alias) this.list.append(h('div', 'bp-note bp-alias', this.alias));
    if (typing?.isConnected) {
      typing.focus();
      if (caret) typing.setSelectionRange(caret[0], caret[1]);
    }
    // A threshold being typed is not redrawn under the person's fingers; the line that says which are on is.
    this.sayBuiltinsOn(view);
    if (!this.builtinList.contains(document.activeElement)) this.renderBuiltins(view);
  }

  private sayBuiltinsOn(view: BreakpointsView): void {
    const on = view.catalog.filter(({ kind }) => view.builtins[kind].enabled).map(({ info }) => info.title);
    this.builtinSummary.textContent = `Built-in conditions: ${on.length === 0 ? 'none on' : on.join(', ')}`;
  }

  /** The edit-in-place row: the breakpoint as typed, and its hit condition. */
  private editor(spec: BreakpointSpec | undefined): HTMLElement {
    const id = spec?.id ?? 'new';
    if (this.editorRow?.dataset.editing === id) return this.editorRow;
    const row = h('div', 'bp-row bp-editing');
    row.dataset.editing = id;
    this.editorRow = row;
    const input = h('input', 'bp-input');
    input.type = 'text';
    input.value = spec ? typed(spec) : '';
    input.placeholder = 'step 175, every 50, loss < 0.01, watch w3';
    input.setAttribute('aria-label', 'Breakpoint: a step, every N steps, a condition, watch a parameter, or a phase of each step (at forward 2)');
    const hit = h('input', 'bp-hit-input');
    hit.type = 'text';
    hit.value = spec?.hitCondition ?? '';
    hit.placeholder = 'every hit';
    hit.setAttribute('aria-label', 'Hit condition: 5 (the 5th hit), >= 5, or % 5');
    hit.title = 'Hit condition: 5 (the 5th hit), >= 5 (from the 5th on), % 5 (every 5th); empty for every hit';
    const apply = (): void => {
      const text = input.value.trim();
      this.editing = undefined;
      this.editorRow = undefined;
      if (text === '') { this.render(); return; }
      const next = parseBreakpointText(text, spec?.id ?? `bp${this.nextId++}`, spec?.enabled ?? true, hit.value.trim() || undefined);
      this.update((specs) => (spec ? specs.map((s) => (s.id === spec.id ? next : s)) : [...specs, next]));
    };
    const keys = (ev: KeyboardEvent): void => {
      if (ev.key === 'Enter') { ev.preventDefault(); apply(); }
      if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); this.editing = undefined; this.editorRow = undefined; this.render(); }
    };
    input.addEventListener('keydown', keys);
    hit.addEventListener('keydown', keys);
    row.append(h('span', 'bp-dot codicon codicon-debug-breakpoint'), input, hit);
    requestAnimationFrame(() => input.focus());
    return row;
  }

  private renderBuiltins(view: BreakpointsView): void {
    if (view.catalog.some(({ kind }) => this.hit.has(kind))) this.builtins.open = true;
    this.builtinList.replaceChildren();
    for (const { kind, info, explains } of view.catalog) {
      const setting = view.builtins[kind];
      const row = h('div', 'bp-builtin');
      row.dataset.builtin = kind;
      row.classList.toggle('hit', this.hit.has(kind));
      const box = h('input');
      box.type = 'checkbox';
      box.checked = setting.enabled;
      box.id = `builtin-${kind}`;
      box.addEventListener('change', () => this.setBuiltin(kind, { ...setting, enabled: box.checked }));
      const label = h('label', 'bp-builtin-label', info.title);
      label.htmlFor = box.id;
      label.title = `Break when ${explains}`;
      row.append(box, label);
      for (const which of ['threshold', 'threshold2'] as const) {
        const t = info[which];
        if (!t) continue;
        const input = h('input', 'bp-threshold');
        input.type = 'text';
        input.inputMode = 'decimal';
        input.value = String(setting[which] ?? t.default);
        input.setAttribute('aria-label', `${info.title}: ${t.label}`);
        input.title = t.label;
        input.addEventListener('change', () => {
          const v = Number(input.value);
          if (input.value.trim() === '' || !Number.isFinite(v)) { input.setAttribute('aria-invalid', 'true'); input.title = `${t.label}: a number, such as ${t.default}`; return; }
          input.removeAttribute('aria-invalid');
          this.setBuiltin(kind, { ...setting, [which]: v });
        });
        row.append(input);
      }
      this.builtinList.append(row);
    }
  }

  private setBuiltin(kind: BuiltinKind, setting: BuiltinSettings[BuiltinKind]): void {
    if (!this.view) return;
    this.update((specs) => specs, { ...this.view.builtins, [kind]: setting });
  }
}
