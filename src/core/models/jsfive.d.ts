/** The part of jsfive (a pure-JavaScript HDF5 reader, no types of its own) that the Keras reader uses. */
declare module 'jsfive' {
  export class Group {
    readonly name: string;
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    /** The group or dataset at a path relative to this group; throws (a string) when there is none. */
    get(path: string): Group | Dataset | null;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
  export class Dataset {
    readonly name: string;
    readonly shape: number[];
    /** '<f4', '>f8', '<i4', ... or an array for compound and string types. */
    readonly dtype: string | unknown[];
    readonly value: ArrayLike<number> | unknown[];
    readonly attrs: Record<string, unknown>;
  }
}
