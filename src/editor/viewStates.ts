import * as vscode from 'vscode';
import { parseViewState, type ViewState } from '../protocol';

/** Documents whose view is remembered; the oldest is forgotten past this. */
const LIMIT = 200;

/**
 * How each document was last viewed (edge mode, notation, pinned parameter), kept in a file in the
 * extension's storage. A file, not a Memento: VS Code for the browser keeps mementos in the
 * browser and writes them some time later, so a reload soon after a change could lose it; a write
 * to the file has happened when `set` resolves, which is when the page is told its view is saved.
 */
export class ViewStates {
  private states: Promise<Map<string, ViewState>> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly folder: vscode.Uri) {}

  private get file(): vscode.Uri {
    return vscode.Uri.joinPath(this.folder, 'view-states.json');
  }

  private load(): Promise<Map<string, ViewState>> {
    this.states ??= (async () => {
      try {
        // The file is only data: each entry is checked as a page's message would be, and one that
        // is not a view state (an older or damaged file) is dropped, not trusted.
        const raw: unknown = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(this.file)));
        const states = new Map<string, ViewState>();
        if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
          for (const [key, value] of Object.entries(raw)) {
            const state = parseViewState(value);
            if (state) states.set(key, state);
          }
        }
        return states;
      } catch {
        // No file yet, or one we cannot read: start afresh rather than fail to open an editor.
        return new Map<string, ViewState>();
      }
    })();
    return this.states;
  }

  async get(document: string): Promise<ViewState | undefined> {
    return (await this.load()).get(document);
  }

  /** Remembers `state` for `document`; resolves once it is on disk. */
  async set(document: string, state: ViewState): Promise<void> {
    const states = await this.load();
    states.delete(document);
    states.set(document, state);
    while (states.size > LIMIT) states.delete(states.keys().next().value!);
    const text = JSON.stringify(Object.fromEntries(states));
    // One write at a time, in order, so a later state never loses to an earlier one; a write that
    // failed (a full disk) fails its own caller and leaves the chain whole for the next.
    const write = this.writing.then(async () => {
      await vscode.workspace.fs.createDirectory(this.folder);
      await vscode.workspace.fs.writeFile(this.file, new TextEncoder().encode(text));
    });
    this.writing = write.catch(() => undefined);
    await write;
  }
}
