/**
 * A person in VS Code with the charts: opens the dosage example, reads the SSR curve's slope in
 * the strip under the graph, steps, and sees the point move down the curve.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { findParameter, loadNetwork, Trainer } from '../../src/core';
import { openGraph, ROOT, screenshot, until } from '../harness/vscode';
import { useVSCode } from './session';

describe('charts in VS Code (e2e)', () => {
  const vscode = useVSCode();

  it("reads the slope of StatQuest's SSR curve from the panel, steps, and reads the next one", async () => {
    const { page } = vscode;
    const frame = await openGraph(page, 'dosage-b3.nn.json', '[data-param="b3"]');
    const profile = frame.locator('.chart-panel[data-panel="profile"]');
    const slopeText = async (): Promise<string> => (await profile.locator('canvas').getAttribute('aria-label')) ?? '';
    await until('the SSR curve for b3', async () => /^SSR against b3/.test(await slopeText()));
    assert.match(await slopeText(), /b3 = 0, SSR = 20\.42, slope dSSR\/db3 = −15\.66\./);
    assert.equal(Number(await profile.getAttribute('data-slope')).toFixed(1), '-15.7');
    await frame.locator('[data-control="step"]').click();
    await until('the point one step down the curve', async () => /held: b3 = 1\.566/.test(await slopeText()));
    // The slope there is the core's derivative at b3 = 1.566 (the same number the hover card shows).
    const net = loadNetwork(readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8'));
    const t = new Trainer(net);
    t.step();
    t.evaluate();
    const slope = t.gradients[findParameter(net, 'b3')!.index];
    const shown = /slope dSSR\/db3 = (−?\d+(?:\.\d+)?)/.exec(await slopeText())![1].replace('−', '-');
    assert.equal(Number(shown), Number(slope.toPrecision(4)));
    const loss = frame.locator('.chart-panel[data-panel="loss"]');
    await until('the loss chart at step 1', async () => (await loss.getAttribute('data-current')) === '1');
    assert.equal(await loss.getAttribute('data-points'), '2');
    await screenshot(page, 'charts-vscode');
  });
});
