/** Runs first (files run in name order): nothing has activated the extension yet. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { examplePath, extension, waitFor } from './util';

describe('activation', () => {
  it('activates when a network file opens in its editor (and not for every JSON file)', async () => {
    // The test workspace holds no .nn.json, so nothing else has activated the extension yet; the
    // manifest names no onLanguage:json (a unit test checks it), so a plain JSON file never would.
    assert.equal(extension().isActive, false, 'active before any network file opened');
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(examplePath('dosage-b3.nn.json')));
    await waitFor('activation', () => extension().isActive);
  });
});
