/**
 * POST /simulate: the "try it" panel. Replays a sample visitor history against the segment being
 * edited (unsaved changes included, in the context of every other stored segment and score) with
 * the engine's own `simulate`, and returns the membership, reason and next change after each step
 * and each time-based change in between.
 *
 * The route needs the read permission; a rule that is not the stored rule of that segment (an
 * unsaved edit, a new segment) needs the manage permission too: running arbitrary rules is
 * writing rules, even if nothing is stored. Inputs are bounded as the API bounds them: events by
 * the event validator, traits and context by the same limits as event properties, the rule by
 * the rule compiler and a size cap. A refusal is a 400 naming the offending path.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Core } from '@strapi/strapi';
import type { AdminContext } from './context';
import { errors } from '@strapi/utils';
import {
  copyJsonObject,
  DEFAULT_EVENT_LIMITS,
  EventValidationError,
  parseDuration,
  RuleCompileError,
  simulate,
  type SimulationStep,
} from '../../../engine';
import type { JsonObject, SegmentDefinition } from '../../../engine/types';
import { ACTIONS } from '../permissions';
import { getService } from '../get-service';

/** Longest history a panel may replay (steps); the panel is for examples, not load. */
export const MAX_STEPS = 200;
/** Largest rule a panel may simulate, as JSON (UTF-8 bytes); 500 conditions fit with room to spare. */
export const MAX_SIMULATED_RULE_BYTES = 64 * 1024;
/** Longest segment name, in characters. */
const MAX_NAME_LENGTH = 200;
/** The key a segment is simulated under before it has one of its own. */
const UNSAVED_KEY = 'unsaved-segment';

/** One row the panel shows. */
export interface SimulatedStep {
  at: number;
  label: string;
  member: boolean;
  reason: string;
  nextChangeAt: number | null;
}

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async simulate(ctx: AdminContext): Promise<void> {
    const body = (ctx.request.body ?? {}) as { segment?: unknown; steps?: unknown };
    const segment = readSegment(body.segment);
    const steps = readSteps(body.steps, Date.now());
    const stored = await getService(strapi, 'segments').ruleSetSource();
    const storedRule = stored.segments.find((other) => other.key === segment.key)?.rule;
    if (
      (storedRule === undefined || !isDeepStrictEqual(storedRule, segment.rule)) &&
      !ctx.state?.userAbility?.can(ACTIONS.manage)
    )
      // PolicyError: a 403 whose message Strapi passes on (a plain ForbiddenError reads "Forbidden").
      throw new errors.PolicyError(
        'simulating a rule other than the stored one needs the "Manage segments and rules" permission',
      );
    const source = {
      scores: stored.scores ?? [],
      segments: [...stored.segments.filter((other) => other.key !== segment.key), segment],
    };
    try {
      const results = simulate(
        source,
        segment.key,
        steps.map((step) => step.step),
      );
      let stepIndex = 0;
      ctx.body = {
        data: results.map((result): SimulatedStep => {
          const label = result.cause === 'step' ? steps[stepIndex++]!.label : 'time passes (no new event)';
          return {
            at: result.at,
            label,
            member: result.member,
            reason: result.reason.text,
            nextChangeAt: result.nextChangeAt,
          };
        }),
      };
    } catch (error) {
      if (
        error instanceof RuleCompileError ||
        error instanceof EventValidationError ||
        error instanceof RangeError
      )
        throw new errors.ValidationError(error.message);
      throw error;
    }
  },
});

function readSegment(input: unknown): SegmentDefinition {
  if (typeof input !== 'object' || input === null)
    throw new errors.ValidationError('segment: expected the segment being edited');
  const segment = input as Record<string, unknown>;
  const key = typeof segment.key === 'string' && segment.key !== '' ? segment.key : UNSAVED_KEY;
  if (typeof segment.name === 'string' && segment.name.length > MAX_NAME_LENGTH)
    throw new errors.ValidationError(`segment.name: at most ${MAX_NAME_LENGTH} characters`);
  const bytes = Buffer.byteLength(JSON.stringify(segment.rule) ?? '');
  if (bytes > MAX_SIMULATED_RULE_BYTES)
    throw new errors.ValidationError(
      `segment.rule: ${bytes} bytes as JSON (at most ${MAX_SIMULATED_RULE_BYTES})`,
    );
  return {
    key,
    name: typeof segment.name === 'string' && segment.name !== '' ? segment.name : key,
    priority: typeof segment.priority === 'number' ? segment.priority : 0,
    // Disabled segments have no members: simulate the rule itself, which is what the editor is writing.
    enabled: true,
    rule: segment.rule,
  };
}

/** `[{ after: "1m", event?, traits?, context? }]` → engine steps at absolute times from `start`. */
function readSteps(input: unknown, start: number): Array<{ step: SimulationStep; label: string }> {
  if (!Array.isArray(input) || input.length === 0)
    throw new errors.ValidationError('steps: expected a non-empty list of { "after": "1m", "event": {…} }');
  if (input.length > MAX_STEPS) throw new errors.ValidationError(`steps: at most ${MAX_STEPS} steps`);
  let at = start;
  let elapsed = 0;
  return input.map((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new errors.ValidationError(`steps[${index}]: expected an object`);
    const { after = '0s', event, traits, context, ...rest } = raw as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0)
      throw new errors.ValidationError(
        `steps[${index}]: unknown field "${unknown[0]}" (after, event, traits, context)`,
      );
    const delay = after === '0s' || after === 0 ? 0 : parseDuration(after);
    if (delay === undefined)
      throw new errors.ValidationError(
        `steps[${index}].after: ${JSON.stringify(after)} is not a duration such as "30s", "10m"`,
      );
    at += delay;
    elapsed += delay;
    const step: SimulationStep = { at };
    if (event !== undefined) step.event = withDefaults(event, index, at);
    if (traits !== undefined) step.traits = boundedObject(traits, `steps[${index}].traits`);
    if (context !== undefined) step.context = boundedObject(context, `steps[${index}].context`);
    const what =
      event !== undefined ? describeEvent(event) : traits !== undefined ? 'traits change' : 'time passes';
    return { step, label: `+${formatElapsed(elapsed)} ${what}` };
  });
}

/**
 * Sample traits and context, under the limits of event properties (string lengths, keys, depth,
 * bytes): what the panel replays must be something a visitor could have sent.
 */
function boundedObject(value: unknown, path: string): JsonObject {
  let copy: JsonObject;
  try {
    copy = copyJsonObject(value, path, DEFAULT_EVENT_LIMITS);
  } catch (error) {
    if (error instanceof EventValidationError) throw new errors.ValidationError(error.message);
    throw error;
  }
  const bytes = Buffer.byteLength(JSON.stringify(copy));
  if (bytes > DEFAULT_EVENT_LIMITS.maxEventBytes)
    throw new errors.ValidationError(
      `${path}: ${bytes} bytes as JSON (at most ${DEFAULT_EVENT_LIMITS.maxEventBytes})`,
    );
  return copy;
}

/** Sample events need no id or timestamp: each step's event gets one, as a tracker would add them. */
function withDefaults(event: unknown, index: number, at: number): unknown {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return event;
  const record = event as Record<string, unknown>;
  return {
    ...(record.id === undefined && record.messageId === undefined ? { id: `try-it-${index}` } : {}),
    ...(record.timestamp === undefined ? { timestamp: at } : {}),
    ...record,
  };
}

function describeEvent(event: unknown): string {
  const record = (event ?? {}) as Record<string, unknown>;
  const name = record.event ?? record.type ?? 'event';
  return String(name);
}

function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60 ? ` ${seconds % 60}s` : ''}`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60) ? ` ${Math.floor((seconds % 3600) / 60)}m` : ''}`;
}
