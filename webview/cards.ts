/**
 * The hover card. Cards are rendered ahead of the hover and kept laid out inside the card box:
 * KaTeX and the layout of its output take tens of milliseconds per card, so after each model the
 * cards are built in idle slices, and a hover only makes one visible and moves the box: within a
 * frame. Keyed by parameter and notation; the first PRERENDER_LIMIT parameters are built ahead,
 * the rest on first hover.
 */
import type { ExplanationView, NetworkModel } from '../src/protocol';
import { renderExplanation, renderUnit } from './card';
import { h } from './dom';
import type { Anchor } from './graph/view';
import { requestExplanation, requestUnit } from './host';
import type { Notation } from './notation';
import { placeCard } from './placement';

const PRERENDER_LIMIT = 150;

/** Where Step Into is, for card keys: a card shows only what has been computed so far. */
function progressKey(model: NetworkModel): string {
  return model.progress ? `${model.progress.unitsThrough}-${model.progress.gradientsFrom}` : '';
}

/** One model's explanations: from the model when it carries them all, else asked for and kept. */
export class Explanations {
  private readonly asked = new Map<string, ExplanationView>();

  constructor(readonly model: NetworkModel) {}

  get(name: string): ExplanationView | Promise<ExplanationView | null> {
    const local = this.model.explanations?.[name] ?? this.asked.get(name);
    if (local) return local;
    return requestExplanation(name).then((e) => { if (e) this.asked.set(name, e); return e; });
  }
}

export class HoverCard {
  readonly element = h('div', 'card');
  private readonly built = new Map<string, HTMLElement>();
  private active: HTMLElement | undefined;
  private run = 0;
  /** What is hovered now, so an answer that arrives late is shown only if it still is. */
  private current: object | undefined;

  constructor(private readonly onReady: (ready: boolean) => void) {
    this.element.setAttribute('role', 'tooltip');
    this.element.id = 'hover-card';
  }

  /** Forgets every built card and builds `model`'s ahead, in slices of 8 ms. */
  prerender(model: NetworkModel | undefined, notation: Notation): void {
    const run = ++this.run;
    this.built.clear();
    this.active = undefined;
    this.element.replaceChildren();
    this.element.classList.remove('shown');
    this.onReady(false);
    // Without explanations in the model there is nothing to build ahead: cards come on first hover.
    if (!model?.explanations) { if (model) this.onReady(true); return; }
    const explanations = model.explanations;
    const names = model.params.slice(0, PRERENDER_LIMIT).map((p) => p.name);
    const next = (): void => {
      if (run !== this.run) return;
      const started = performance.now();
      while (names.length > 0 && performance.now() - started < 8) {
        const name = names.shift()!;
        this.content(`${name}|${notation}|${progressKey(model)}`, () => renderExplanation(explanations[name], model, notation));
      }
      if (names.length > 0) setTimeout(next, 0);
      else this.onReady(true);
    };
    setTimeout(next, 0);
  }

  showParam(name: string, at: Anchor, explanations: Explanations, notation: Notation): void {
    const token = {};
    this.current = token;
    const key = `${name}|${notation}|${progressKey(explanations.model)}`;
    const ready = this.built.get(key);
    if (ready) { this.place(ready, at); return; }
    const e = explanations.get(name);
    const model = explanations.model;
    if (e instanceof Promise) {
      this.place(this.content(`waiting ${name}`, () => h('div', 'card-waiting', `${name}: computing…`)), at);
      void e.then((value) => { if (this.current === token && value) this.place(this.content(key, () => renderExplanation(value, model, notation)), at); });
    } else {
      this.place(this.content(key, () => renderExplanation(e, model, notation)), at);
    }
  }

  showUnit(id: string, at: Anchor, model: NetworkModel, notation: Notation): void {
    const token = {};
    this.current = token;
    const [layer, unit] = id.split(',').map(Number);
    const key = `unit ${id}|${notation}|${progressKey(model)}`;
    const built = this.built.get(key);
    if (built) { this.place(built, at); return; }
    const view = model.units.find((u) => u.layer === layer && u.unit === unit - 1);
    if (view) { this.place(this.content(key, () => renderUnit(view, model, notation)), at); return; }
    // A large network's units are asked for one at a time.
    this.place(this.content(`waiting ${id}`, () => h('div', 'card-waiting', 'computing…')), at);
    void requestUnit(layer, unit - 1).then((v) => { if (this.current === token && v) this.place(this.content(key, () => renderUnit(v, model, notation)), at); });
  }

  hide(): void {
    this.current = undefined;
    this.element.classList.remove('shown');
    this.active?.classList.remove('active');
    this.active = undefined;
  }

  /** The card content for `key`, built and laid out once, then reused. */
  private content(key: string, build: () => HTMLElement): HTMLElement {
    let content = this.built.get(key);
    if (!content) {
      content = build();
      content.classList.add('card-content');
      this.element.append(content);
      // Lay it out now (the expensive part), so showing it later costs no layout.
      void content.offsetWidth;
      this.built.set(key, content);
    }
    return content;
  }

  /** Beside what it explains, never over it or its chain (see placeCard). */
  private place(content: HTMLElement, at: Anchor): void {
    this.active?.classList.remove('active');
    this.active = content;
    content.classList.add('active');
    this.element.classList.add('shown');
    // The page below the toolbar (and banner): the card never hides the controls.
    const top = this.element.parentElement?.querySelector('.main')?.getBoundingClientRect().top ?? 0;
    const view = { left: 0, top, right: window.innerWidth, bottom: window.innerHeight };
    // The size is read now, not when the card was built: KaTeX's fonts may have finished loading
    // since, which widens the card.
    const spot = placeCard(content.offsetWidth, content.offsetHeight, at, at.avoid, view, at.prefer);
    this.element.style.transform = `translate(${spot.x}px, ${spot.y}px)`;
  }
}
