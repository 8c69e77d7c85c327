/** Frames to a page at the pace it draws them: none piles up behind a slow page, and a stop never waits. */
import assert from 'node:assert/strict';
import { ACK_LIMIT_MS, FramePacer, REST } from '../../src/editor/framePacer';
import type { TrainingFrame } from '../../src/session/views';

const frame = (seq: number, running: boolean, timing?: TrainingFrame['timing']): TrainingFrame => ({ seq, running, step: seq, timing } as TrainingFrame);

/** A clock the test moves, running what was scheduled when its time comes. */
function testClock(): { now(): number; advance(ms: number): void; schedule(run: () => void, ms: number): { cancel(): void } } {
  let t = 0;
  let timers: { at: number; run(): void; cancelled: boolean }[] = [];
  return {
    now: () => t,
    advance(ms) {
      t += ms;
      const due = timers.filter((x) => !x.cancelled && x.at <= t);
      timers = timers.filter((x) => !x.cancelled && x.at > t);
      for (const x of due) x.run();
    },
    schedule(run, ms) {
      const timer = { at: t + ms, run, cancelled: false };
      timers.push(timer);
      return { cancel: () => { timer.cancelled = true; } };
    },
  };
}

describe('frames to a page', () => {
  it('rests REST times as long as the last frame took from sending to drawn, so the page is busy half the time at most', () => {
    const clock = testClock();
    const sent: number[] = [];
    const pacer = new FramePacer((f) => sent.push(f.seq), clock.now, clock.schedule);
    pacer.offer(frame(1, true));
    clock.advance(30);
    pacer.drawn(1);
    clock.advance(10);
    pacer.offer(frame(2, true));
    assert.deepEqual(sent, [1], `resting until ${30 + REST * 30}`);
    clock.advance(REST * 30 - 11);
    assert.deepEqual(sent, [1]);
    clock.advance(1);
    assert.deepEqual(sent, [1, 2]);
    // A stop does not rest.
    pacer.drawn(2);
    pacer.offer(frame(3, false));
    assert.deepEqual(sent, [1, 2, 3]);
    pacer.dispose();
  });

  it('keeps one running frame in flight; the newest waits, and goes when the page has drawn the last', () => {
    const sent: number[] = [];
    const pacer = new FramePacer((f) => sent.push(f.seq), () => 0);
    pacer.offer(frame(1, true));
    pacer.offer(frame(2, true));
    pacer.offer(frame(3, true));
    assert.deepEqual(sent, [1], 'frames 2 and 3 wait; 3 replaces 2');
    pacer.drawn(1);
    assert.deepEqual(sent, [1, 3]);
    pacer.drawn(3);
    pacer.offer(frame(4, true));
    assert.deepEqual(sent, [1, 3, 4]);
    pacer.dispose();
  });

  it('sends a stop at once, dropping a running frame still waiting, and a frame that answers a click too', () => {
    const sent: number[] = [];
    const pacer = new FramePacer((f) => sent.push(f.seq), () => 0);
    pacer.offer(frame(1, true));
    pacer.offer(frame(2, true));
    pacer.offer(frame(3, false));
    pacer.drawn(1);
    assert.deepEqual(sent, [1, 3], 'frame 2 (older than the stop) never goes');
    pacer.offer(frame(4, true, { clicked: 1 }));
    assert.deepEqual(sent, [1, 3, 4], 'the first frame of Continue answers a click: not held');
    pacer.dispose();
  });

  it('does not wait for ever on a page that stopped answering, nor after a page starts afresh', () => {
    let now = 0;
    const sent: number[] = [];
    const pacer = new FramePacer((f) => sent.push(f.seq), () => now);
    pacer.offer(frame(1, true));
    now = ACK_LIMIT_MS + 1;
    pacer.offer(frame(2, true));
    assert.deepEqual(sent, [1, 2]);
    pacer.offer(frame(3, true));
    pacer.reset();
    assert.deepEqual(sent, [1, 2, 3]);
    pacer.dispose();
  });
});
