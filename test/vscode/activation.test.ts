/** Runs first (files run in name order): nothing has activated the extension yet. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAllEditors, examplePath, extension, waitFor } from './util';

describe('activation', () => {
  // Leave no page loading for the next suite: VS Code for the browser can fail to boot a webview
  // created while another is still loading (see editor.test.ts).
  after(async () => {
    await waitFor('the network editor to say ready', () => api().editors().length > 0 && api().editors().every((e) => e.ready), 30_000, () => JSON.stringify(api().editors()));
    await closeAllEditors();
  });

  it('activates when a network file opens in its editor (and not for every JSON file)', async () => {
    // The test workspace holds no .nn.json, so nothing else has activated the extension yet; the
    // manifest names no onLanguage:json (a unit test checks it), so a plain JSON file never would.
    assert.equal(extension().isActive, false, 'active before any network file opened');
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(examplePath('dosage-b3.nn.json')));
    await waitFor('activation', () => extension().isActive);
  });
});
