/** The extension's manifest: what wakes it, what it shows a newcomer, what its README links to. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { IMPORTERS } from '../../src/core/models/formats';
import { ROOT } from './helpers';

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('the extension manifest', () => {
  it('activates on what the extension owns, never on every JSON file', () => {
    // Commands, the custom editor, the walkthrough and the network files' language (nn-json) activate it implicitly (VS Code 1.74 and later).
    assert.deepEqual(manifest.activationEvents, ['workspaceContains:**/*.nn.json', 'onDebugResolve:backprop', 'onDebugInitialConfigurations']);
    assert.ok(manifest.engines.vscode.replace(/[^\d.]/g, '').split('.').map(Number)[1] >= 74);
  });

  it('enables the training commands from the context keys the extension sets', () => {
    const provider = readFileSync(path.join(ROOT, 'src', 'editor', 'provider.ts'), 'utf8');
    for (const c of manifest.contributes.commands as { command: string; enablement?: string }[]) {
      for (const key of c.enablement?.match(/backprop\.[\w.]+/g) ?? []) assert.ok(provider.includes(`'${key}'`), `${c.command} depends on ${key}, which nothing sets`);
    }
    const enablement = Object.fromEntries((manifest.contributes.commands as { command: string; enablement?: string }[]).map((c) => [c.command, c.enablement]));
    assert.match(enablement['backprop.stepBack']!, /canStepBack/);
    assert.match(enablement['backprop.reset']!, /canStepBack/);
    assert.match(enablement['backprop.step']!, /hasNetwork/);
  });

  it('contributes every command the extension registers, and the debugger\'s keys for the stepping ones', () => {
    const registered = new Set<string>();
    for (const file of ['extension.ts', path.join('editor', 'provider.ts')]) {
      const text = readFileSync(path.join(ROOT, 'src', file), 'utf8');
      for (const [, c] of text.matchAll(/registerCommand\('([\w.]+)'/g)) registered.add(c);
      for (const [, c] of text.matchAll(/\['(backprop\.\w+)', '\w+'\]/g)) registered.add(c);
    }
    const contributed = new Set((manifest.contributes.commands as { command: string }[]).map((c) => c.command));
    assert.ok(registered.size >= 14, [...registered].join(', '));
    for (const c of registered) assert.ok(contributed.has(c), `${c} is registered but not contributed`);
    for (const c of contributed) assert.ok(registered.has(c), `${c} is contributed but nothing registers it`);
    const keys = Object.fromEntries((manifest.contributes.keybindings as { command: string; key: string }[]).map((k) => [k.command, k.key]));
    // F5 starts VS Code's own debugger on the network (then it is the debugger's Continue).
    assert.deepEqual(
      [keys['backprop.debug'], keys['backprop.continue'], keys['backprop.pause'], keys['backprop.step'], keys['backprop.stepInto'], keys['backprop.stepOut']],
      ['f5', undefined, 'f6', 'f10', 'f11', 'shift+f11'],
    );
    const palette = new Set((manifest.contributes.menus.commandPalette as { command: string }[]).map((m) => m.command));
    for (const c of ['backprop.stepInto', 'backprop.stepOut', 'backprop.reverseContinue', 'backprop.goToStep', 'backprop.writeParameters', 'backprop.writeParametersRounded']) assert.ok(palette.has(c), c);
  });

  it('titles its commands as VS Code does: title case, an ellipsis where more is asked, and the rounded write saying it rounds', () => {
    const small = new Set(['a', 'an', 'the', 'to', 'in', 'of', 'on', 'at', 'by', 'for', 'and', 'or', 'with']);
    for (const c of manifest.contributes.commands as { command: string; title: string; category?: string }[]) {
      assert.equal(c.category, 'Backprop Debugger', c.command);
      const title = c.title.replace(/\.\.\.$/, '');
      assert.doesNotMatch(title, /\.$|^\s|\s$/, `${c.command}: no full stop, no stray space`);
      title.split(/[\s(),]+/).filter(Boolean).forEach((word, i) => {
        assert.ok(/^[A-Z0-9]/.test(word) || (i > 0 && small.has(word)), `${c.command}: '${word}' in '${c.title}' is capitalised`);
      });
    }
    const titles = Object.fromEntries((manifest.contributes.commands as { command: string; title: string }[]).map((c) => [c.command, c.title]));
    assert.equal(titles['backprop.writeParameters'], 'Write Parameters to File');
    // It asks for the digits (a pick that says how far the loss moves) and says it changes the numbers.
    assert.match(titles['backprop.writeParametersRounded'], /^Write Parameters to File \(Rounded to N Digits\)\.\.\.$/);
  });

  it('contributes a debugger for network files, with a launch configuration and breakpoints in network files alone', () => {
    const [debuggerContribution] = manifest.contributes.debuggers;
    assert.equal(debuggerContribution.type, 'backprop');
    assert.equal(debuggerContribution.label, 'Backprop Debugger');
    assert.deepEqual(debuggerContribution.configurationAttributes.launch.required, ['program']);
    assert.equal(debuggerContribution.initialConfigurations[0].program, '${file}');
    assert.ok(debuggerContribution.configurationSnippets.length > 0);
    // The gutter takes breakpoints in network files, not in package.json or settings.json.
    assert.deepEqual(manifest.contributes.breakpoints.map((b: { language: string }) => b.language), ['nn-json']);
    assert.deepEqual(debuggerContribution.languages, ['nn-json']);
    // Their language is JSON to VS Code's JSON language server (the loader takes no comments), coloured by its grammar.
    const [language] = manifest.contributes.languages;
    assert.deepEqual([language.id, language.filenamePatterns], ['nn-json', ['*.nn.json']]);
    assert.deepEqual(manifest.contributes.jsonLanguageParticipants, [{ languageId: 'nn-json', comments: false }]);
    const grammar = JSON.parse(readFileSync(path.join(ROOT, manifest.contributes.grammars[0].path), 'utf8'));
    assert.deepEqual(grammar.patterns, [{ include: 'source.json' }]);
    assert.ok(existsSync(path.join(ROOT, language.configuration)));
    const debugActivate = readFileSync(path.join(ROOT, 'src', 'debug', 'activate.ts'), 'utf8');
    assert.match(debugActivate, /DEBUG_TYPE = 'backprop'/);
  });

  it('walks a newcomer through five steps, each with a button that does it and an image with a text alternative', () => {
    const [walkthrough] = manifest.contributes.walkthroughs;
    assert.equal(walkthrough.steps.length, 5);
    const commands = new Set((manifest.contributes.commands as { command: string }[]).map((c) => c.command));
    for (const step of walkthrough.steps) {
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m: RegExpMatchArray) => m[1]);
      assert.equal(links.length, 1, `${step.id}: one button`);
      assert.ok(commands.has(links[0]), `${step.id}: ${links[0]} is a command of ours`);
      assert.ok(existsSync(path.join(ROOT, step.media.image)), `${step.id}: ${step.media.image}`);
      assert.ok(step.media.altText.length > 20, `${step.id}: a text alternative`);
    }
    // StatQuest's numbers, as the videos give them.
    const text = walkthrough.steps.map((s: { description: string }) => s.description).join('\n');
    for (const number of ['20.4', '−15.7', '2.61']) assert.ok(text.includes(number), number);
  });

  it('has an icon, and a README whose images are packaged', () => {
    assert.ok(existsSync(path.join(ROOT, manifest.icon)));
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const ignore = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    for (const [, image] of readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
      assert.ok(existsSync(path.join(ROOT, image)), `${image} exists`);
      assert.match(image, /^docs\/screenshots\/[\w-]+\.png$/, `${image} is under docs/screenshots, which the .vsix ships`);
    }
    assert.match(ignore, /^!docs\/screenshots\/\*\.png$/m);
  });

  it('lets no dependency run an install script, so installing downloads nothing', () => {
    assert.ok(Object.values(manifest.allowScripts).every((allowed) => allowed === false));
  });

  it('offers Import Model... on a right click of every file an importer reads', () => {
    const entry = (manifest.contributes.menus['explorer/context'] as { command: string; when: string }[]).find((m) => m.command === 'backprop.importModel')!;
    for (const importer of IMPORTERS) {
      for (const ext of importer.extensions) {
        // TensorFlow.js's .json: any model.json (or x.model.json), not every JSON file.
        if (ext === '.json') assert.ok(entry.when.includes('resourceFilename =~ /(^|\\.)model\\.json$/'), entry.when);
        else assert.ok(entry.when.split('||').map((c) => c.trim()).includes(`resourceExtname == ${ext}`), `${importer.label}: ${ext} is not in "${entry.when}"`);
      }
    }
  });
});
