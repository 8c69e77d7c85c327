import * as vscode from 'vscode';

/**
 * A page that never starts. Seldom, and so far only on a loaded machine after a window reload,
 * VS Code for the browser shows a webview whose script never runs: the tab stays on its skeleton
 * and the host hears nothing. The page says `ready` as soon as its script runs and repeats it
 * until answered, so silence while the tab is visible means it is not coming: load the page
 * again, a few times at most, and say so in the log. (Patience is a liveness bound: it decides
 * when to try again, never what the page shows.)
 */
export class BootWatch implements vscode.Disposable {
  /** How long a visible page may stay silent before it is loaded again. */
  static patienceMs = 15_000;
  /** For the tests: how many of the next pages render without their script (a page that never starts). */
  static brokenPages = 0;
  private static readonly MAX_RELOADS = 3;

  private timer: NodeJS.Timeout | undefined;
  private started = false;
  /** How often the page was loaded again because it did not start. */
  reloads = 0;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly render: () => string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    let visible = panel.visible;
    this.subscription = panel.onDidChangeViewState(() => {
      // A hidden tab's page is let go (the editor does not retain it): shown again, it starts anew.
      if (panel.visible && !visible) this.started = false;
      visible = panel.visible;
      this.arm();
    });
    this.arm();
  }

  /** The page's HTML: whole, or without its script while a test asks for pages that never start. */
  static html(render: (script: boolean) => string): string {
    if (BootWatch.brokenPages > 0) {
      BootWatch.brokenPages--;
      return render(false);
    }
    return render(true);
  }

  /** The page said ready: nothing more to watch. */
  ready(): void {
    this.started = true;
    clearTimeout(this.timer);
  }

  private arm(): void {
    clearTimeout(this.timer);
    // A hidden tab's page may not load until shown: only a visible one's silence counts.
    if (this.started || !this.panel.visible || this.reloads >= BootWatch.MAX_RELOADS) return;
    this.timer = setTimeout(() => {
      if (this.started || !this.panel.visible) return;
      this.reloads++;
      this.log.warn(`the network editor's page did not start within ${BootWatch.patienceMs} ms; loading it again (${this.reloads} of ${BootWatch.MAX_RELOADS})`);
      this.panel.webview.html = this.render();
      this.arm();
    }, BootWatch.patienceMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
  }
}
