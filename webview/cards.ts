/**
 * The hover card. Cards are rendered ahead of the hover and kept laid out inside the card box:
 * KaTeX and the layout of its output take tens of milliseconds per card, so after each model the
 * cards are built in idle slices, and a hover only makes one visible and moves the box: within a
 * frame. Keyed by parameter and notation; the first PRERENDER_LIMIT parameters are built ahead,
 * the rest on first hover.
 */
import type { Explained, ExplanationView, NetworkModel } from '../src/protocol';
import { renderExplanation, renderUnit } from './card';
import { h } from './dom';
import type { Anchor } from './graph/view';
import { requestExplanation, requestUnit } from './host';
import type { Notation } from './notation';
import { placeCard } from './placement';

const PRERENDER_LIMIT = 150;
/** A page never idle (a chart redrawn every frame) still gets a card built this often (ms). */
const IDLE_LIMIT_MS = 500;

/** Where Step Into is, for card keys: a card shows only what has been computed so far. */
function progressKey(model: NetworkModel): string {
  return model.progress ? `${model.progress.unitsThrough}-${model.progress.gradientsFrom}` : '';
}

/**
 * What a card of `e` looks like with `model`: the parameter, the notation, how far Step Into has
 * got, the step the numbers are of and the step shown (a card says when those differ).
 */
export function cardKey(e: ExplanationView, model: NetworkModel, notation: Notation): string {
  return `${e.parameter}|${notation}|${progressKey(model)}|${e.step}|${model.step}`;
}

/**
 * One model's explanations: the model's own when it carries them all (a stopped teaching network);
 * while training runs, the latest the host sent of the parameters the page watches (each with the
 * step it is of: nothing is asked, so training is not slowed); when stopped, asked for and kept.
 * null: none has come yet (it comes with the next update).
 */
export class Explanations {
  private readonly asked = new Map<string, Promise<ExplanationView | null>>();

  constructor(readonly model: NetworkModel, private readonly sent: () => (Explained & { kind: 'watched' }) | undefined) {}

  get(name: string): ExplanationView | Promise<ExplanationView | null> | null {
    const own = this.model.explanations?.[name];
    if (own) return own;
    const sent = this.sent()?.explanations[name];
    if (this.model.training.running) return sent ?? null;
    if (sent && sent.step === this.model.step) return sent;
    let asked = this.asked.get(name);
    if (!asked) {
      asked = requestExplanation(name);
      this.asked.set(name, asked);
      // A failed request may be asked again (the worker came back, the file was fixed).
      asked.catch(() => this.asked.delete(name));
    }
    return asked;
  }
}

/** A card that waits: for numbers that come with the next update, or that could not be computed. */
export function waitingCard(text: string): HTMLElement {
  return h('div', 'card-waiting', text);
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
    // Built only while the page has nothing else to do (a card takes tens of milliseconds): a click,
    // or the next stop arriving, is handled at once, never after a queue of cards.
    const next = (deadline: IdleDeadline): void => {
      if (run !== this.run) return;
      while (names.length > 0 && (deadline.timeRemaining() > 2 || deadline.didTimeout)) {
        const e = explanations[names.shift()!];
        this.content(cardKey(e, model, notation), () => renderExplanation(e, model, notation));
        if (deadline.didTimeout) break;
      }
      if (names.length > 0) requestIdleCallback(next, { timeout: IDLE_LIMIT_MS });
      else this.onReady(true);
    };
    requestIdleCallback(next, { timeout: IDLE_LIMIT_MS });
  }

  showParam(name: string, at: Anchor, explanations: Explanations, notation: Notation): void {
    const token = {};
    this.current = token;
    const e = explanations.get(name);
    const model = explanations.model;
    const show = (value: ExplanationView): void => this.place(this.content(cardKey(value, model, notation), () => renderExplanation(value, model, notation)), at);
    if (e === null) {
      this.place(this.content(`waiting ${name}`, () => waitingCard(`${name}: its numbers come with the next update while training runs…`)), at);
    } else if (e instanceof Promise) {
      this.place(this.content(`waiting ${name}`, () => waitingCard(`${name}: computing…`)), at);
      e.then(
        (value) => { if (this.current === token && value) show(value); },
        (error: Error) => { if (this.current === token) this.place(this.content(`failed ${name} ${error.message}`, () => waitingCard(`${name}: could not be computed (${firstLine(error.message)})`)), at); },
      );
    } else show(e);
  }

  /** A unit's card; `picture`, its enlarged picture (see UnitMapZoom), goes under the card's title. */
  showUnit(id: string, at: Anchor, model: NetworkModel, notation: Notation, picture: HTMLElement | null = null): void {
    const token = {};
    this.current = token;
    const [layer, unit] = id.split(',').map(Number);
    const key = `unit ${id}|${notation}|${progressKey(model)}`;
    const withPicture = (content: HTMLElement): HTMLElement => {
      if (picture) content.querySelector('.card-head')?.after(picture);
      else content.querySelector(':scope > * > .unit-zoom, :scope > .unit-zoom')?.remove();
      return content;
    };
    const built = this.built.get(key);
    if (built) { this.place(withPicture(built), at); return; }
    const view = model.units.find((u) => u.layer === layer && u.unit === unit - 1);
    if (view) { this.place(withPicture(this.content(key, () => renderUnit(view, model, notation))), at); return; }
    // A large network's units are asked for one at a time.
    this.place(this.content(`waiting ${id}`, () => h('div', 'card-waiting', 'computing…')), at);
    requestUnit(layer, unit - 1).then(
      (v) => { if (this.current === token && v) this.place(withPicture(this.content(key, () => renderUnit(v, model, notation))), at); },
      (error: Error) => { if (this.current === token) this.place(this.content(`failed ${id} ${error.message}`, () => waitingCard(`could not be computed (${firstLine(error.message)})`)), at); },
    );
  }

  hide(): void {
    this.current = undefined;
    this.element.classList.remove('shown');
    this.active?.classList.remove('active');
    this.active = undefined;
  }

  /** The card content for `key`, built and laid out once, then reused (only the newest of one parameter's is kept). */
  private content(key: string, build: () => HTMLElement): HTMLElement {
    let content = this.built.get(key);
    if (!content) {
      // While training runs, each update brings a parameter's card at a new step: the older go.
      const prefix = key.split('|', 2).join('|');
      for (const [k, old] of this.built) {
        if (k.startsWith(`${prefix}|`) && old !== this.active) { old.remove(); this.built.delete(k); }
      }
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

function firstLine(message: string): string {
  return message.split('\n', 1)[0];
}
