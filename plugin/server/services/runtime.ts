/**
 * The `runtime` service: the plugin's long-lived parts on this instance, started in bootstrap and
 * stopped in destroy. It owns the personalizer (profiles in Redis or in-process) and keeps its rule
 * set in step with the segments in the database on every instance:
 *
 *   editor saves a segment ─▶ announceRules() ─▶ bus 'rules' ─▶ every instance: reloadRules()
 *   editor publishes content ─▶ announceContent() ─▶ content source listeners on this instance
 *     (the GraphQL layer refreshes its snapshot and fans the change out to the other instances)
 *
 * The rules announcement goes through the personalizer's bus even on a single instance, so one
 * path is tested and used everywhere.
 *
 * It also owns this instance's metrics (a registry of its own) and the operator endpoints
 * (health, readiness, metrics) that the `operator` routes serve: readiness is 503 until the
 * personalizer runs and again from the moment stopping begins.
 */
import type { Core } from '@strapi/strapi';
import { compilableRuleSet, createPersonalizer, RuleCompileError } from '../../../engine';
import { TOPICS } from '../../../engine/bus/topics';
import type { Personalizer } from '../../../engine/types';
import type { ContentChange } from '../../../content/types';
import { createOperatorEndpoints, type OperatorEndpoints } from '../../../server/health';
import { createMetrics, type PersonalizeMetrics } from '../../../server/metrics';
import type { PluginConfig } from '../config/schema';
import { pluginLogger } from '../logger';
import { getService } from '../get-service';

/** Something to undo at stop, in reverse order of setup. */
type Teardown = () => void | Promise<void>;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  let personalizer: Personalizer | null = null;
  let metrics: PersonalizeMetrics | null = null;
  let stopping = false;
  const running = (): Personalizer | null => (stopping ? null : personalizer);
  let operator: OperatorEndpoints = createOperatorEndpoints({ personalizer: running });
  const teardowns: Teardown[] = [];
  const segments = () => getService(strapi, 'segments');
  const contentSource = () => getService(strapi, 'content-source');
  const logger = pluginLogger(strapi);
  const log = (level: 'info' | 'warn' | 'error', message: string): void => logger[level](message);

  /**
   * Replaces the personalizer's rules with what the database holds now. Segments saved through the
   * admin always compile (the document guard refuses the others); should the set still not compile
   * (rows written around Strapi), the old rules stay in force and the error is logged.
   */
  async function reloadOnce(): Promise<void> {
    if (!personalizer) return;
    const source = await segments().ruleSetSource();
    try {
      const rules = personalizer.setRules(source);
      log('info', `rules reloaded: ${rules.segments.length} segments (version ${rules.version})`);
    } catch (error) {
      if (!(error instanceof RuleCompileError)) throw error;
      log('error', `stored segments do not compile, previous rules kept:\n${error.message}`);
    }
  }

  // Announcements that arrive during a reload are coalesced into one more reload after it: a burst
  // of writes (an import, the demo seed) costs two reads of the segments, not one per write, and
  // the last reload always starts after the last write.
  let reloading: Promise<void> | null = null;
  let reloadAgain = false;
  function reloadRules(): Promise<void> {
    if (reloading) {
      reloadAgain = true;
      return reloading;
    }
    reloading = (async () => {
      do {
        reloadAgain = false;
        await reloadOnce();
      } while (reloadAgain);
    })().finally(() => {
      reloading = null;
    });
    return reloading;
  }

  return {
    /** Starts the personalizer on the stored segments and listens for cross-instance announcements. */
    async start(config: PluginConfig): Promise<Personalizer> {
      if (personalizer) return personalizer;
      const rules = compilableRuleSet(await segments().ruleSetSource(), log);
      const observed = (metrics ??= createMetrics());
      const started = await createPersonalizer({
        rules,
        ...(config.redis ? { redis: config.redis } : {}),
        keyPrefix: config.keyPrefix,
        anonymousTtlMs: config.ttl.anonymousProfileMs,
        userTtlMs: config.ttl.userProfileMs,
        ...(config.time?.clockSkewWarnMs ? { clockSkewWarnMs: config.time.clockSkewWarnMs } : {}),
        ...(config.time?.dueRetry ? { dueRetry: config.time.dueRetry } : {}),
        ...(config.profileLimits ? { profileLimits: config.profileLimits } : {}),
        ...(config.embeddedStore?.maxProfiles
          ? { maxEmbeddedProfiles: config.embeddedStore.maxProfiles }
          : {}),
        logger,
        observer: observed.observer,
      });
      personalizer = started;
      operator = createOperatorEndpoints({
        personalizer: running,
        metrics: observed,
        ...(config.metrics?.token ? { metricsToken: config.metrics.token } : {}),
        ...(config.readiness?.timeoutMs ? { readyTimeoutMs: config.readiness.timeoutMs } : {}),
      });
      if (!config.metrics?.token)
        log('info', 'no metrics.token configured: /personalize/metrics is disabled');
      teardowns.push(() => started.close());
      const reloadLogged = () =>
        reloadRules().catch((error: unknown) => log('error', `reloading rules failed: ${String(error)}`));
      // An announcement made while this instance's bus was away is lost with it: reload then too.
      teardowns.push(started.onBroadcast(TOPICS.rules, reloadLogged), started.onResubscribed(reloadLogged));
      await started.start();
      return started;
    },

    /** Registers something to undo at stop (the GraphQL layer's listeners and server). */
    onStop(teardown: Teardown): void {
      teardowns.push(teardown);
    },

    /** The running personalizer; throws before bootstrap (or after destroy). */
    personalizer(): Personalizer {
      if (!personalizer) throw new Error('the personalize plugin is not started');
      return personalizer;
    },

    isStarted(): boolean {
      return personalizer !== null;
    },

    /** This instance's metrics (the GraphQL layer reports to them too); throws before start. */
    metrics(): PersonalizeMetrics {
      if (!metrics) throw new Error('the personalize plugin is not started');
      return metrics;
    },

    /** Health, readiness and metrics, as the `operator` routes serve them. */
    operator(): OperatorEndpoints {
      return operator;
    },

    reloadRules,

    /** Tells every instance (this one included) to reload the segments from the database. */
    async announceRules(): Promise<void> {
      if (personalizer) await personalizer.broadcast(TOPICS.rules, { at: Date.now() });
    },

    /**
     * Tells this instance's content listeners that published content changed. The GraphQL layer
     * listens, refreshes its snapshot and tells the other instances itself.
     */
    announceContent(change: ContentChange): void {
      contentSource().emit(change);
    },

    /** Undoes everything `start` and `onStop` set up, last first; failures are logged, not thrown. */
    async stop(): Promise<void> {
      stopping = true;
      while (teardowns.length > 0) {
        const teardown = teardowns.pop()!;
        try {
          await teardown();
        } catch (error) {
          log('error', `stopping failed: ${String(error)}`);
        }
      }
      personalizer = null;
      stopping = false;
    },
  };
};
