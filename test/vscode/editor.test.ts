/** The network editor in a real VS Code: it resolves, follows the text, and leaves the text in charge. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { EXAMPLE_FILES as EXAMPLES } from '../../src/exampleFiles';
import { VIEW_TYPE } from '../../src/protocol';
import { api, closeAllEditors, examplePath, scratchFile, waitFor } from './util';


function activeTabInput(): unknown {
  return vscode.window.tabGroups.activeTabGroup.activeTab?.input;
}

/**
 * Waits for the network editor of `uri` to show the graph (or the problem), then lets its webview
 * settle: in VS Code for the browser a webview created while another is still fetching its
 * resources (KaTeX fonts load as the cards render) can fail to boot, which a person opening files
 * by hand never runs into but a test opening them 100 ms apart does.
 */
async function session(uri: vscode.Uri, shown: 'model' | 'invalid'): Promise<void> {
  // The bound outlasts the editor's own recovery (a silent page is loaded again after 15 s, three
  // times at most): a page that starts on its second or third load is the product working.
  await waitFor(`the network editor of ${uri.path} to show ${shown === 'model' ? 'the graph' : 'the problem'}`,
    () => api().editors().find((e) => e.uri === uri.toString() && e.ready && e.shown === shown), 60_000,
    () => JSON.stringify(api().editors()));
}

describe('the network editor', () => {
  afterEach(closeAllEditors);

  it('is the default editor for every example and shows each graph', async () => {
    // Opened one after another as tabs, as a person opens them.
    for (const name of EXAMPLES) {
      const uri = vscode.Uri.file(examplePath(name));
      await vscode.commands.executeCommand('vscode.open', uri);
      const input = activeTabInput();
      assert.ok(input instanceof vscode.TabInputCustom, `${name} opened as ${input?.constructor.name}`);
      assert.equal(input.viewType, VIEW_TYPE);
      await session(uri, 'model');
    }
  });

  it('follows edits to the text: a broken file shows its problem, undo brings the graph back', async () => {
    const uri = scratchFile('live-editor.nn.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    await vscode.commands.executeCommand('vscode.open', uri);
    await session(uri, 'model');
    const document = await vscode.workspace.openTextDocument(uri);
    const at = document.getText().indexOf('"softplus"');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(document.positionAt(at), document.positionAt(at + 10)), '"softplu"');
    await vscode.workspace.applyEdit(edit);
    assert.equal(document.isDirty, true);
    await session(uri, 'invalid');
    await vscode.commands.executeCommand('undo');
    await session(uri, 'model');
    assert.equal(document.isDirty, false, 'undo through the network editor restores the saved text');
  });

  it('reopens with the text editor, and opens the text beside the graph', async () => {
    const uri = vscode.Uri.file(examplePath('xor.nn.json'));
    await vscode.commands.executeCommand('vscode.open', uri);
    await session(uri, 'model');
    await vscode.commands.executeCommand('backprop.openTextBeside');
    await waitFor('a text editor beside', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString()));
    assert.equal(vscode.window.tabGroups.all.length, 2, 'graph and text side by side');
    await closeAllEditors();
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    assert.ok(activeTabInput() instanceof vscode.TabInputText, '"Reopen Editor With... Text Editor" works');
  });

  it('opens any .json with "Open in Network Debugger"', async () => {
    const uri = scratchFile('plain-name.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    await vscode.commands.executeCommand('backprop.openInNetworkDebugger', uri);
    const input = activeTabInput();
    assert.ok(input instanceof vscode.TabInputCustom && input.viewType === VIEW_TYPE);
    await session(uri, 'model');
  });

  it('shows a file that is not a network as such, not as a blank panel', async () => {
    const uri = scratchFile('package-like.json', '{ "name": "something", "version": "1.0.0" }');
    await vscode.commands.executeCommand('backprop.openInNetworkDebugger', uri);
    await session(uri, 'invalid');
  });
});
