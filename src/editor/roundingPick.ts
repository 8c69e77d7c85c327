/**
 * Write Parameters to File, Rounded: the person picks how many significant digits to keep, and each
 * choice says, before anything is written, that it changes the numbers and how far the loss moves.
 */
import * as vscode from 'vscode';
import { describeLossChange, describeParameterChange, type Network, roundingEffects } from '../core';

/** The choices offered; the default is a number a person reads at a glance and keeps the fit. */
export const ROUNDING_DIGITS = [2, 3, 4, 5, 6] as const;
export const DEFAULT_DIGITS = 4;

interface DigitsItem extends vscode.QuickPickItem {
  digits: number;
}

/** What each choice of digits does to `network` at `values`, as the pick shows it. */
export function roundingItems(network: Network, values: ArrayLike<number>): DigitsItem[] {
  return roundingEffects(network, values, ROUNDING_DIGITS).map((effect) => {
    const { digits } = effect;
    return {
      digits,
      label: `${digits} significant digits`,
      description: digits === DEFAULT_DIGITS ? 'default' : undefined,
      detail: `${describeLossChange(effect, network, '→')}; ${describeParameterChange(effect)}`,
    };
  });
}

/** The digits picked, or undefined if the person turned the pick away. */
export function askDigits(network: Network, values: ArrayLike<number>): Promise<number | undefined> {
  const pick = vscode.window.createQuickPick<DigitsItem>();
  pick.title = 'Write Parameters to File, Rounded';
  pick.placeholder = 'Rounding changes the numbers in the file, and the loss with them: how many significant digits?';
  pick.matchOnDetail = true;
  pick.items = roundingItems(network, values);
  pick.activeItems = pick.items.filter((i) => i.digits === DEFAULT_DIGITS);
  return new Promise((resolve) => {
    let picked: number | undefined;
    // Accepted before the workbench has told the selection back (a busy window), the item in
    // focus is the one picked: the default unless the person moved.
    pick.onDidAccept(() => { picked = (pick.selectedItems[0] ?? pick.activeItems[0])?.digits; pick.hide(); });
    pick.onDidHide(() => { pick.dispose(); resolve(picked); });
    pick.show();
  });
}
