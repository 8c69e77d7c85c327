/**
 * VS Code's own debugger on a network file, in a real VS Code: startDebugging on an example, a
 * function breakpoint hit at its step, the values the Variables view shows read back, Step Back,
 * the network editor following the session, and the inline values and hovers in the JSON text.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { loadNetwork, Trainer } from '../../src/core';
import { api, closeAllEditors, examplePath, scratchFile, waitFor } from './util';

const runOf = (uri: vscode.Uri) => api().runs().find((r) => r.uri === uri.toString());

async function started(uri: vscode.Uri, stopOnEntry: boolean): Promise<vscode.DebugSession> {
  const session = new Promise<vscode.DebugSession>((resolve) => {
    const sub = vscode.debug.onDidStartDebugSession((s) => { sub.dispose(); resolve(s); });
  });
  assert.ok(await vscode.debug.startDebugging(undefined, { type: 'backprop', request: 'launch', name: 'Debug training', program: uri.fsPath, stopOnEntry }));
  return session;
}

async function ended(session: vscode.DebugSession): Promise<void> {
  const done = new Promise<void>((resolve) => {
    const sub = vscode.debug.onDidTerminateDebugSession((s) => { if (s.id === session.id) { sub.dispose(); resolve(); } });
  });
  await vscode.debug.stopDebugging(session);
  await done;
}

/** The Variables view's scope `scope`, as the adapter answers VS Code for it. */
async function variables(session: vscode.DebugSession, scope: string): Promise<{ name: string; value: string }[]> {
  const frames = await session.customRequest('stackTrace', { threadId: 1 });
  const scopes = await session.customRequest('scopes', { frameId: frames.stackFrames[0].id });
  const ref = scopes.scopes.find((s: { name: string }) => s.name === scope).variablesReference;
  return (await session.customRequest('variables', { variablesReference: ref })).variables;
}

describe("VS Code's debugger on a network file", () => {
  afterEach(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await ended(vscode.debug.activeDebugSession);
    await closeAllEditors();
  });

  it('stops at a function breakpoint with the numbers of `train --steps`, shows them in Variables, and steps back', async () => {
    const text = readFileSync(examplePath('dosage-all.nn.json'), 'utf8');
    const uri = scratchFile('debug-fb.nn.json', text);
    vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('175')]);
    const session = await started(uri, false);
    await waitFor('the breakpoint at step 175', () => runOf(uri)?.step === 175 && runOf(uri)?.running === false, 30_000, () => JSON.stringify(api().runs()));
    const reference = new Trainer(loadNetwork(text));
    for (let i = 0; i < 175; i++) reference.step();
    const params = await variables(session, 'Parameters');
    assert.deepEqual(params.map((p) => p.name), ['w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'b3']);
    assert.deepEqual(params.map((p) => Number(p.value)), Array.from(reference.params, (v) => Number(v.toPrecision(6))));
    const training = Object.fromEntries((await variables(session, 'Training')).map((v) => [v.name, v.value]));
    assert.equal(training.step, '175');
    assert.match(training.stop, /^Paused at step 175: breakpoint `step 175` hit$/);

    await waitFor('VS Code to show the stopped thread', () => vscode.debug.activeStackItem?.session.id === session.id);
    await vscode.commands.executeCommand('workbench.action.debug.stepBack');
    await waitFor('step 174', () => runOf(uri)?.step === 174);
    const watch = await session.customRequest('evaluate', { expression: 'w3 - 0.1*dw3', context: 'watch' });
    assert.ok(Number.isFinite(Number(watch.result)), watch.result);
    await ended(session);
    // Ending the session leaves the run where it was for the editor.
    assert.equal(runOf(uri)?.step ?? 174, 174);
  });

  it('drives the run the network editor shows: stepping in one moves the other', async () => {
    const uri = scratchFile('debug-shared.nn.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    await vscode.commands.executeCommand('vscode.openWith', uri, 'backprop.networkEditor');
    await waitFor('the network editor', () => api().editors().some((e) => e.uri === uri.toString() && e.ready && e.shown === 'model'), 30_000);
    const session = await started(uri, true);
    await waitFor('one run for both', () => runOf(uri)?.attachments === 2, 20_000, () => JSON.stringify(api().runs()));
    // VS Code's step commands act on the thread it shows stopped: wait for it to show one.
    await waitFor('VS Code to show the stopped thread', () => vscode.debug.activeStackItem?.session.id === session.id);
    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    await waitFor('the editor at step 1', () => api().editors().find((e) => e.uri === uri.toString())?.step === 1);
    // The editor's own command moves the session's run too.
    await vscode.commands.executeCommand('backprop.step');
    await api().sync();
    const frames = await session.customRequest('stackTrace', { threadId: 1 });
    assert.equal(frames.stackFrames[0].name, 'step 2');
  });

  it('shows each weight\'s value and gradient inline in the JSON text, and on hover', async () => {
    const text = readFileSync(examplePath('dosage-b3.nn.json'), 'utf8');
    const uri = scratchFile('debug-inline.nn.json', text);
    const session = await started(uri, true);
    await waitFor('the session stopped at entry', () => runOf(uri)?.step === 0 && runOf(uri)?.running === false);
    await session.customRequest('next', { threadId: 1 });
    await waitFor('step 1', () => runOf(uri)?.step === 1);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    const range = new vscode.Range(0, 0, document.lineCount, 0);
    const values = await vscode.commands.executeCommand<vscode.InlineValue[]>('vscode.executeInlineValueProvider', uri, range, { frameId: 1, stoppedLocation: range });
    const texts = values.map((v) => (v as vscode.InlineValueText).text);
    // b3 after one step: 0 − 0.1 × (−15.655) = 1.566 (StatQuest's first step).
    assert.ok(texts.some((t) => /^b3 = 1\.566, dSSR\/db3 = /.test(t)), texts.join(' | '));
    assert.ok(texts.some((t) => /^w3 = -1\.22, dSSR\/dw3 = /.test(t)), texts.join(' | '));
    const at = document.positionAt(text.indexOf('-1.22') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
    const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(hoverText, /\*\*w3\*\* at step 1: -1\.22/);
    assert.ok(editor);
  });
});
