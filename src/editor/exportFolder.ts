/**
 * Where a chart of a network file is saved unless the person chooses elsewhere: beside the file, as
 * a person keeps a picture of their work with it. Not where the file is kept out of sight (an
 * example's copy in the extension's storage) and not nowhere (an untitled file): there, the
 * workspace's first folder, or the home folder without one. Pure (locations as plain parts of a
 * URI), so the unit tests check it without VS Code.
 */

/** A location: the parts of a URI that say where (vscode.Uri has them). */
export interface Place {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
}

/** Whether `place` is `folder` or inside it. */
export function isInside(place: Place, folder: Place): boolean {
  if (place.scheme !== folder.scheme || place.authority !== folder.authority) return false;
  const root = folder.path.endsWith('/') ? folder.path : `${folder.path}/`;
  return place.path === root.slice(0, -1) || place.path.startsWith(root);
}

/**
 * The folder a chart of `file` is saved in by default. `workspaces` are the workspace's folders,
 * `hidden` the folders that are no place for a person's files (the extension's storage), `home`
 * the person's home folder.
 */
export function exportFolder(file: Place, workspaces: readonly Place[], hidden: readonly Place[], home: Place): Place {
  const elsewhere = workspaces[0] ?? home;
  if (file.scheme === 'untitled') return elsewhere;
  if (hidden.some((h) => isInside(file, h)) && !workspaces.some((w) => isInside(file, w))) return elsewhere;
  const slash = file.path.lastIndexOf('/');
  return { scheme: file.scheme, authority: file.authority, path: slash > 0 ? file.path.slice(0, slash) : '/' };
}
