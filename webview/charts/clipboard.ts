/**
 * Copy as image: the picture onto the system clipboard from inside the webview. Why here: the
 * extension host cannot put a picture on the clipboard (vscode.env.clipboard takes text only), and
 * the page can: VS Code allows its webview frames clipboard-write where scripts run (Firefox
 * aside), which is how its markdown preview's Copy Image and its notebooks' Copy Output put PNGs
 * there (navigator.clipboard.write with a ClipboardItem). The write needs the click that asked for
 * it, so it starts at once, with the picture still being encoded. Where the page cannot (a host
 * that withholds the clipboard, a window without the focus, a browser without ClipboardItem) it
 * says which, and the strip says so and the host offers to save the picture as a PNG instead: a
 * picture the person can still use, where the chart's data as text would not be what they asked for.
 */

export type CopyOutcome = 'copied' | 'unsupported' | 'denied' | 'failed';

/**
 * Writes the PNG `blob` to the clipboard. The write starts at once, before the blob is ready, so it
 * happens inside the click that asked for it (browsers allow a clipboard write only then).
 */
export async function copyPicture(blob: Promise<Blob>): Promise<CopyOutcome> {
  if (typeof ClipboardItem === 'undefined' || typeof navigator.clipboard?.write !== 'function') {
    blob.catch(() => undefined);
    return 'unsupported';
  }
  try {
    await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
    return 'copied';
  } catch (e) {
    return (e as Error)?.name === 'NotAllowedError' ? 'denied' : 'failed';
  }
}
