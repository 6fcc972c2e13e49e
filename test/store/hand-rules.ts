/**
 * A small hand-written `CompiledRuleSet` so the store can be tested on its own contract, apart
 * from the rule compiler (whose own suite lives in test/rules). Two rules, both time-driven:
 *
 *   reader     more than `threshold` `Article Viewed` events within `windowMs`
 *   abandoner  a `Product Viewed` with value >= 100, then no `Order Completed` within `deadlineMs`
 *
 * plus a trait rule (`vip`: trait `plan` = "gold"), a context rule (`mobile`: context
 * `device.type` = "mobile") and a value-carrying stream (article ids).
 */
import type {
  CompiledRuleSet,
  EpochMs,
  Evaluation,
  ProfileFacts,
  StreamEntry,
  VisitorEvent,
} from '../../engine/types';

export interface HandRulesOptions {
  windowMs: number;
  threshold: number;
  deadlineMs: number;
  version?: string;
}

export function handRules({
  windowMs,
  threshold,
  deadlineMs,
  version = 'hand-1',
}: HandRulesOptions): CompiledRuleSet {
  const retentionMs = Math.max(windowMs, deadlineMs) * 2;
  return {
    version,
    segments: [
      { key: 'reader', name: 'Reader', priority: 10, enabled: true },
      { key: 'abandoner', name: 'Abandoner', priority: 20, enabled: true },
      { key: 'vip', name: 'VIP', priority: 5, enabled: true },
      { key: 'mobile', name: 'Mobile', priority: 1, enabled: true },
    ],
    contextPaths: ['device.type'],
    streams: [
      {
        id: 'views',
        retentionMs: windowMs,
        keepFirstLast: true,
        carriesValue: true,
        description: 'Article Viewed',
      },
      {
        id: 'hv',
        retentionMs,
        keepFirstLast: false,
        carriesValue: false,
        description: 'Product Viewed where value >= 100',
      },
      { id: 'buy', retentionMs, keepFirstLast: false, carriesValue: false, description: 'Order Completed' },
    ],
    maxRetentionMs: retentionMs,
    route(event: VisitorEvent): StreamEntry[] {
      if (event.type === 'Article Viewed')
        return [{ stream: 'views', value: String(event.properties.articleId ?? '') }];
      if (event.type === 'Product Viewed' && Number(event.properties.value) >= 100) return [{ stream: 'hv' }];
      if (event.type === 'Order Completed') return [{ stream: 'buy' }];
      return [];
    },
    evaluate(facts: ProfileFacts, now: EpochMs): Evaluation {
      // reader: entries with t > now - windowMs count; the result flips when the oldest of the
      // newest (threshold + 1) leaves the window, at t + windowMs.
      const views = (facts.streams.views?.times ?? []).filter((t) => t > now - windowMs);
      const reader = views.length > threshold;
      const readerNext = reader ? views[views.length - threshold - 1]! + windowMs : null;
      // abandoner: some high-value view at v with v + deadline <= now and no purchase at or after v.
      const buys = facts.streams.buy?.times ?? [];
      const open = (facts.streams.hv?.times ?? []).filter((v) => !buys.some((b) => b >= v));
      const abandoner = open.some((v) => v + deadlineMs <= now);
      const pending = open.map((v) => v + deadlineMs).filter((at) => at > now);
      const abandonerNext = abandoner || pending.length === 0 ? null : Math.min(...pending);
      const vip = facts.traits.plan === 'gold';
      const device = facts.context.device;
      const mobile =
        typeof device === 'object' && device !== null && !Array.isArray(device) && device.type === 'mobile';
      const nexts = [readerNext, abandonerNext].filter((t): t is number => t !== null);
      return {
        segments: {
          reader: {
            member: reader,
            nextChangeAt: readerNext,
            reason: {
              text: `${views.length} × Article Viewed in ${windowMs}ms (> ${threshold})`,
              conditions: [],
            },
          },
          abandoner: {
            member: abandoner,
            nextChangeAt: abandonerNext,
            reason: { text: `${open.length} high-value views without purchase`, conditions: [] },
          },
          vip: {
            member: vip,
            nextChangeAt: null,
            reason: { text: `plan = ${String(facts.traits.plan)}`, conditions: [] },
          },
          mobile: {
            member: mobile,
            nextChangeAt: null,
            reason: { text: `device.type = ${mobile ? 'mobile' : 'other'}`, conditions: [] },
          },
        },
        nextChangeAt: nexts.length > 0 ? Math.min(...nexts) : null,
      };
    },
  };
}
