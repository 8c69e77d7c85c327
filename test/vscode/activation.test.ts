/** Runs first (files run in name order): nothing has activated the extension yet. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { examplePath, extension, waitFor } from './util';

describe('activation', () => {
  it('activates when a .nn.json file opens', async () => {
    // The test workspace holds no .nn.json, so nothing else has activated the extension yet.
    assert.equal(extension().isActive, false, 'active before any network file opened');
    await vscode.window.showTextDocument(vscode.Uri.file(examplePath('dosage-b3.nn.json')));
    await waitFor('activation', () => extension().isActive);
  });

});
