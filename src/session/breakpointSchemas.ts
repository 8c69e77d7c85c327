/**
 * Breakpoints as they arrive from outside the worker (a webview, VS Code's debugger, the
 * workspace's storage): validated against these schemas, which are checked against the types in
 * breakpointTypes.ts (a schema that drifts from its type does not compile).
 */
import * as v from 'valibot';
import { BUILTIN_KINDS, type BreakpointSpec, type BuiltinKind, type BuiltinSettings, defaultBuiltins } from './breakpointTypes';

const id = v.pipe(v.string(), v.regex(/^[\w-]{1,64}$/));
const common = { id, enabled: v.boolean(), hitCondition: v.optional(v.pipe(v.string(), v.maxLength(32))), logMessage: v.optional(v.pipe(v.string(), v.maxLength(1000))) };
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

/** A breakpoint (BreakpointSpec): step, every N, condition or watch, with its id, switch and hit condition. */
export const BreakpointSpecSchema = v.variant('kind', [
  v.strictObject({ ...common, kind: v.literal('step'), step: count }),
  v.strictObject({ ...common, kind: v.literal('every'), every: count }),
  /** An expression of the breakpoint language (README "Breakpoints"); breaks when it becomes true. */
  v.strictObject({ ...common, kind: v.literal('condition'), expression: v.pipe(v.string(), v.maxLength(1000)), whileTrue: v.optional(v.boolean()) }),
  /** A data breakpoint on one parameter: it changes sign, crosses `value`, or moves by more than `value` in one step. */
  v.strictObject({ ...common, kind: v.literal('watch'), parameter: v.pipe(v.string(), v.regex(/^[wb][1-9][0-9]{0,8}$/)), watch: v.picklist(['sign', 'cross', 'move']), value: v.optional(v.pipe(v.number(), v.finite())) }),
  /** A phase of each step (`at forward 2`, `at loss if loss < 0.5`). */
  v.strictObject({
    ...common,
    kind: v.literal('phase'),
    phase: v.variant('kind', [
      v.strictObject({ kind: v.picklist(['forward', 'backward']), layer: count }),
      v.strictObject({ kind: v.picklist(['loss', 'update']) }),
    ]),
    expression: v.optional(v.pipe(v.string(), v.maxLength(1000))),
  }),
]);

const threshold = v.optional(v.pipe(v.number(), v.finite()));
/** Built-in settings as they arrive from elsewhere: every kind, each a switch and its thresholds. */
export const BuiltinSettingsSchema = v.strictObject(Object.fromEntries(BUILTIN_KINDS.map((k) => [k, v.strictObject({ enabled: v.boolean(), threshold, threshold2: threshold })])) as Record<BuiltinKind, v.StrictObjectSchema<{ enabled: v.BooleanSchema<undefined>; threshold: typeof threshold; threshold2: typeof threshold }, undefined>>);

// Each schema yields exactly its type, or this does not compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const specsAgree: Same<v.InferOutput<typeof BreakpointSpecSchema>, BreakpointSpec> = true;
const builtinsAgree: Same<v.InferOutput<typeof BuiltinSettingsSchema>, BuiltinSettings> = true;
void specsAgree;
void builtinsAgree;

// Saved before a built-in condition was added, the settings lack it: it takes its default, the rest stay.
const SavedBreakpoints = v.object({ specs: v.array(BreakpointSpecSchema), builtins: v.partial(BuiltinSettingsSchema) });

/** A file's breakpoints as the workspace's state kept them (only data: checked), or undefined. */
export function parseSavedBreakpoints(value: unknown): { specs: BreakpointSpec[]; builtins: BuiltinSettings } | undefined {
  const saved = v.safeParse(SavedBreakpoints, value);
  return saved.success ? { specs: saved.output.specs, builtins: { ...defaultBuiltins(), ...saved.output.builtins } } : undefined;
}
