/** What is large goes to the page in parts, one at a time, never right after a stop, the newest of a kind winning. */
import assert from 'node:assert/strict';
import { BulkLane, type BulkPart, GRACE_MS, PART_CHARS, PART_LIMIT_MS } from '../../src/editor/bulkLane';

/** A lane on a clock the test moves (running what the lane scheduled when its time comes), and what it sent. */
function lane(): { lane: BulkLane; sent: BulkPart[]; clock: { t: number; advance(ms: number): void } } {
  const timers: { at: number; run(): void; cancelled: boolean }[] = [];
  const clock = {
    t: 1000,
    advance(ms: number): void {
      clock.t += ms;
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue;
        if (timer.at <= clock.t) timer.run(); else timers.push(timer);
      }
    },
  };
  const sent: BulkPart[] = [];
  const schedule = (run: () => void, ms: number): { cancel(): void } => {
    const timer = { at: clock.t + ms, run, cancelled: false };
    timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  };
  return { lane: new BulkLane((p) => sent.push(p), () => clock.t, schedule), sent, clock };
}

const whole = (parts: BulkPart[], id: number): unknown => JSON.parse(parts.filter((p) => p.id === id).map((p) => p.data).join(''));

describe('the lane for large messages to a page', () => {
  it('sends a large message in parts, the next only when the page has the last, and the parts make it whole', () => {
    const { lane: l, sent } = lane();
    const message = { type: 'charts', charts: { values: Array.from({ length: 10_000 }, (_, i) => i / 7) } };
    l.put('charts', message);
    assert.equal(sent.length, 1);
    const parts = sent[0].parts;
    assert.ok(parts > 5 && sent[0].data.length <= PART_CHARS);
    for (let i = 1; i < parts; i++) { l.got(sent[i - 1].id, sent[i - 1].part); assert.equal(sent.length, i + 1); }
    l.got(sent[parts - 1].id, sent[parts - 1].part);
    assert.equal(sent.length, parts, 'nothing more');
    assert.deepEqual(whole(sent, sent[0].id), message);
    l.dispose();
  });

  it('a newer message of a kind replaces the rest of an older one; other kinds wait their turn', () => {
    const { lane: l, sent } = lane();
    l.put('charts', { step: 1, big: 'x'.repeat(3 * PART_CHARS) });
    l.put('explained', { step: 1 });
    l.put('charts', { step: 2 });
    l.got(sent[0].id, 0);
    l.got(sent[1].id, sent[1].part);
    l.got(sent[2].id, sent[2].part);
    assert.deepEqual(sent.map((p) => p.id), [1, 2, 3], 'the older charts stopped after its first part; then the explanations; then the newer charts');
    assert.deepEqual(whole(sent, 3), { step: 2 });
    l.dispose();
  });

  it('stays quiet for a moment after a stop, and goes on after a part the page never acknowledged', () => {
    const { lane: l, sent, clock } = lane();
    l.quiet();
    l.put('charts', { step: 1 });
    assert.equal(sent.length, 0, 'quiet right after a stop');
    clock.advance(GRACE_MS - 1);
    assert.equal(sent.length, 0);
    clock.advance(1);
    assert.equal(sent.length, 1, 'then it goes');
    l.put('explained', { step: 1 });
    assert.equal(sent.length, 1, 'one part in flight at a time');
    l.put('more', { step: 1 });
    clock.advance(20);
    l.got(sent[0].id, 0);
    assert.equal(sent.length, 1, 'a part that took 20 ms to come back: the lane rests 20 ms');
    clock.advance(20);
    assert.equal(sent.length, 2);
    clock.advance(PART_LIMIT_MS);
    assert.equal(sent.length, 3, 'a part never acknowledged is taken as lost');
    l.reset();
    l.put('charts', { step: 3 });
    assert.equal(sent.length, 4, 'a page that starts afresh has nothing in flight');
    l.dispose();
  });
});
