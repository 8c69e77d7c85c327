/**
 * The line under the toolbar that says where the run is and why, as a debugger's status says it:
 * "Paused at step 175: breakpoint `step 175`", "Running", "Restarted: the data changed". It is the
 * page's `role="status"`, so a screen reader hears each stop. Go to Step... asks for its step here.
 */
import { goToStepCheck } from '../src/goToStep';
import { formatCount } from '../src/core/numbers';
import type { TrainingFrame } from '../src/protocol';
import { h } from './dom';

export class StopLine {
  readonly element = h('div', 'stopline');
  private readonly text = h('span', 'stop-text');
  private readonly form = h('span', 'goto');
  private readonly input = h('input', 'goto-input');
  /** The steps kept, and what the step typed will do: "0 to 642 kept; beyond trains on". */
  private readonly hint = h('span', 'goto-hint');
  private frame: TrainingFrame | undefined;
  /** How far a long jump (Go to Step, Step Back, Reverse Continue) has got. */
  private readonly progress = h('progress', 'motion-progress');

  constructor(private readonly goTo: (step: number, at: number) => void) {
    this.text.setAttribute('role', 'status');
    this.text.setAttribute('aria-live', 'polite');
    this.input.type = 'text';
    this.input.inputMode = 'numeric';
    this.input.setAttribute('aria-label', 'Go to step');
    this.input.placeholder = 'step';
    this.hint.id = 'goto-hint';
    this.input.setAttribute('aria-describedby', this.hint.id);
    this.form.append(h('span', 'goto-label', 'Go to step'), this.input, this.hint);
    this.form.hidden = true;
    this.input.addEventListener('input', () => this.check(false));
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.preventDefault(); this.form.hidden = true; return; }
      if (ev.key !== 'Enter') return;
      ev.preventDefault();
      if (!this.check(true)) return;
      this.form.hidden = true;
      this.goTo(Number(this.input.value.trim()), performance.timeOrigin + ev.timeStamp);
    });
    this.progress.max = 100;
    this.progress.hidden = true;
    this.element.append(this.text, this.progress, this.form);
  }

  /** Says where `frame`'s run is; `problem` when the text is broken, `restarted` when the run last restarted and why. */
  show(frame: TrainingFrame | undefined, problem: string | null, restarted: string | null): void {
    this.frame = frame;
    if (!this.form.hidden && !frame?.running) this.check(false);
    let text = '';
    const activity = frame?.running ? frame.activity : null;
    const fraction = activity && activity.kind !== 'continue' ? activity.fraction : null;
    if (frame) {
      if (fraction !== null) text = `${activity!.label}: ${Math.floor(fraction * 100)}% (step ${frame.step.toLocaleString('en-US')}; Pause stops it)`;
      else if (frame.running) text = `Running from step ${frame.step}`;
      else if (restarted && frame.stop?.reason === 'entry') text = `Restarted at step ${frame.step}: ${restarted}`;
      else text = frame.stop?.text ?? `At step ${frame.step}`;
      if (problem) text = `${frame.running ? 'Running' : `Paused at step ${frame.step}`}: the file has an error (${problem})`;
    }
    this.text.textContent = text;
    this.progress.hidden = fraction === null;
    if (fraction !== null) {
      this.progress.value = Math.floor(fraction * 100);
      this.progress.setAttribute('aria-label', activity!.label);
    }
    this.element.title = text;
    this.element.classList.toggle('hit', frame?.stop?.reason === 'breakpoint');
  }

  /** Go to Step...: asks for the step here. */
  askStep(): void {
    this.form.hidden = false;
    this.input.value = '';
    this.check(false);
    this.input.focus();
  }

  /** Says the range, or what the typed step will do; false when it cannot be gone to (marked only once `submitted`). */
  private check(submitted: boolean): boolean {
    const f = this.frame;
    const earliest = f?.earliest ?? 0;
    const latest = f?.latest ?? 0;
    const text = this.input.value;
    const verdict = text.trim() === '' && !submitted ? undefined : goToStepCheck(text, earliest, latest, f?.stopReason ?? null);
    const bad = verdict?.severity === 'error';
    this.hint.textContent = verdict?.message ?? `${formatCount(earliest)} to ${formatCount(latest)} kept; beyond trains on`;
    this.hint.classList.toggle('error', bad);
    if (bad && (submitted || text.trim() !== '')) this.input.setAttribute('aria-invalid', 'true');
    else this.input.removeAttribute('aria-invalid');
    return !bad;
  }
}
