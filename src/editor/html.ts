import * as vscode from 'vscode';

/**
 * The webview page: a strict Content-Security-Policy (scripts only with this load's nonce, styles
 * and fonts only from the extension's bundle, no remote anything), the bundle's CSS and script,
 * and a skeleton of the graph so the panel is never blank while the script starts.
 */
export function renderHtml(webview: vscode.Webview, bundle: vscode.Uri, script = true): string {
  const nonce = makeNonce();
  const uri = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(bundle, file)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    // data: for the KaTeX fonts inlined in main.css (see esbuild.js).
    `font-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${uri('codicons/codicon.css')}">
  <link rel="stylesheet" href="${uri('main.css')}">
  <title>Network Debugger</title>
</head>
<body>
  <div id="app" class="app is-loading" aria-busy="true">
    <div class="skeleton" aria-label="Loading the network">
      <div class="skeleton-column"><span></span></div>
      <div class="skeleton-column"><span></span><span></span></div>
      <div class="skeleton-column"><span></span></div>
    </div>
  </div>
  ${script ? `<script nonce="${nonce}" src="${uri('main.js')}"></script>` : ''}
</body>
</html>`;
}

function makeNonce(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}
