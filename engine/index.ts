/**
 * The engine's entry point: `createPersonalizer` and everything callers need with it (the
 * contracts, the rule compiler, event validation).
 *
 *   const personalizer = await createPersonalizer({ rules, redis: process.env.REDIS_URL });
 *   await personalizer.start();            // polls the due-set: exits and deadlines on time
 *   await personalizer.track(profileId, validateEvents(input, Date.now()).events);
 */
import { assemblePersonalizer, type PersonalizerOptions } from './assemble';
import { compileRuleSet } from './rules';
import type { Personalizer } from './types';

export * from './types';
export {
  compileRuleSet,
  compilableRuleSet,
  RuleCompileError,
  factsFromEvents,
  parseDuration,
  simulate,
  type RuleIssue,
  type SimulationStep,
  type SimulationResult,
} from './rules';
export {
  validateEvent,
  validateEvents,
  copyJsonObject,
  EventValidationError,
  DEFAULT_EVENT_LIMITS,
  type EventLimits,
} from './events';
export { TOPICS, type Topic } from './bus/topics';
export type { PersonalizerOptions } from './assemble';
export type { Unsubscribe } from './bus/types';
export { isRedisUnavailable } from './store/redis/connection';
export {
  ProfileLimitError,
  DEFAULT_PROFILE_LIMITS,
  DEFAULT_CONTEXT_ALLOWANCE,
  type ProfileLimits,
  type ProfileLimitName,
} from './store/limits';
export { DEFAULT_MAX_PROFILES } from './store/memory/memory-store';
export { ReplacedProfileError } from './store/profile-id';

/**
 * Compiles `options.rules` (a bad rule throws `RuleCompileError`) and builds the Personalizer on
 * Redis when `options.redis` is given, else on the embedded in-process store (and says so in the
 * log). Call `start()` on the result to poll the due-set.
 */
export async function createPersonalizer(options: PersonalizerOptions): Promise<Personalizer> {
  return assemblePersonalizer(compileRuleSet(options.rules), compileRuleSet, options);
}
