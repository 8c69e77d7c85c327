/**
 * The `backprop.limits` setting: raises (or lowers) the limits every network, data file and model
 * this extension host loads is checked against (core/limits.ts), and the training worker with it
 * (run.ts sends them with each text). It is a restricted setting (package.json's
 * capabilities.untrustedWorkspaces.restrictedConfigurations): in an untrusted folder VS Code
 * ignores the folder's own value, so a downloaded repository cannot raise its own limits.
 */
import * as vscode from 'vscode';
import { checkLimits, type Limits, setLimits } from './core/limits';

export const LIMITS_SETTING = 'backprop.limits';

/** Sets the process's limits from the setting now and whenever it changes; a bad value is logged and the defaults kept. */
export function followLimitsSetting(log: vscode.LogOutputChannel): vscode.Disposable {
  const apply = (): void => {
    const value = vscode.workspace.getConfiguration('backprop').get<unknown>('limits') ?? {};
    const problem = checkLimits(value);
    if (problem) {
      log.warn(`${LIMITS_SETTING}: ${problem}; the default limits apply`);
      setLimits(undefined);
      return;
    }
    setLimits(value as Partial<Limits>);
  };
  apply();
  return vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(LIMITS_SETTING)) apply(); });
}
