/** The run's events: every listener hears each one, whatever another listener does. */
import assert from 'node:assert/strict';
import { Emitter } from '../../src/run/emitter';

describe('an event of the run', () => {
  it('reaches every listener even when one throws, and reports the failure', () => {
    const failures: unknown[] = [];
    const emitter = new Emitter<number>((e) => failures.push(e));
    const heard: string[] = [];
    emitter.on((v) => heard.push(`a${v}`));
    emitter.on(() => { throw new Error('a page that went away'); });
    emitter.on((v) => heard.push(`c${v}`));
    emitter.fire(1);
    assert.deepEqual(heard, ['a1', 'c1']);
    assert.equal((failures[0] as Error).message, 'a page that went away');
  });

  it('stops telling a listener that let go, and every listener once disposed', () => {
    const emitter = new Emitter<number>();
    const heard: number[] = [];
    const sub = emitter.on((v) => heard.push(v));
    emitter.fire(1);
    sub.dispose();
    emitter.fire(2);
    emitter.on((v) => heard.push(v * 10));
    emitter.dispose();
    emitter.fire(3);
    assert.deepEqual(heard, [1]);
  });
});
