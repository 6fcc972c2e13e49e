/**
 * `npm run bench -- rules [seconds-per-engine]`: the same 50 attribute-only segments (a realistic
 * mix of trait and context conditions) evaluated by our compiled rules, by json-rules-engine and
 * by GrowthBook's `evalCondition`, over the same 1,000 visitor profiles.
 *
 * Ours is measured through the real `CompiledRuleSet.evaluate` (every segment's result, reason
 * object and nextChangeAt), json-rules-engine through `Engine.run` (its normal async API) and
 * GrowthBook through one `evalCondition` per segment. All three must agree on every membership,
 * or the benchmark fails. Ends with `{"bench":"rules","vs_json_rules_engine":X,"vs_growthbook":Y}`
 * (our profiles per second divided by theirs).
 *
 * For reference it also prints what the engine alone does with behavioural rules (windows, scores
 * with decay, deadlines, local time) over a 200-event history: `evaluate` with exact
 * `nextChangeAt`, and `route` per event.
 */
import { evalCondition } from '@growthbook/growthbook';
import { Engine } from 'json-rules-engine';
import { compileRuleSet, factsFromEvents } from '../engine/rules';
import type { JsonObject, ProfileFacts, SegmentDefinition, VisitorEvent } from '../engine/types';

type Op = 'eq' | 'ne' | 'in' | 'nin' | 'gt' | 'gte' | 'lt' | 'lte' | 'regex' | 'exists';
interface Leaf {
  source: 'traits' | 'context';
  field: string;
  op: Op;
  value: unknown;
}
type Condition = Leaf | { all: Condition[] } | { any: Condition[] };

const PLANS = ['free', 'pro', 'team', 'enterprise'];
const COUNTRIES = ['FR', 'DE', 'US', 'GB', 'ES', 'IT', 'JP', 'BR'];
const DEVICES = ['mobile', 'desktop', 'tablet'];
const LOCALES = ['fr-FR', 'en-US', 'en-GB', 'de-DE', 'es-ES'];
const SOURCES = ['google', 'newsletter', 'facebook', 'direct'];

/** A seeded generator, so every run measures the same rules and profiles. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

function leaf(next: () => number): Leaf {
  const kinds: Array<() => Leaf> = [
    () => ({ source: 'traits', field: 'plan', op: 'in', value: [pick(next, PLANS), pick(next, PLANS)] }),
    () => ({ source: 'traits', field: 'plan', op: 'eq', value: pick(next, PLANS) }),
    () => ({
      source: 'traits',
      field: 'age',
      op: pick(next, ['gt', 'gte', 'lt', 'lte'] as const),
      value: 18 + Math.floor(next() * 40),
    }),
    () => ({
      source: 'traits',
      field: 'orders',
      op: pick(next, ['gte', 'lt'] as const),
      value: Math.floor(next() * 10),
    }),
    () => ({
      source: 'traits',
      field: 'country',
      op: pick(next, ['in', 'nin'] as const),
      value: [pick(next, COUNTRIES), pick(next, COUNTRIES), pick(next, COUNTRIES)],
    }),
    () => ({
      source: 'traits',
      field: 'email',
      op: 'regex',
      value: pick(next, ['@example\\.com$', '^[a-m]', '\\.(fr|de)$']),
    }),
    () => ({ source: 'traits', field: 'newsletter', op: 'eq', value: next() < 0.5 }),
    () => ({ source: 'traits', field: 'company', op: 'exists', value: next() < 0.5 }),
    () => ({
      source: 'context',
      field: 'device.type',
      op: pick(next, ['eq', 'ne'] as const),
      value: pick(next, DEVICES),
    }),
    () => ({
      source: 'context',
      field: 'locale',
      op: 'in',
      value: [pick(next, LOCALES), pick(next, LOCALES)],
    }),
    () => ({ source: 'context', field: 'campaign.source', op: 'eq', value: pick(next, SOURCES) }),
    () => ({
      source: 'context',
      field: 'page.path',
      op: 'regex',
      value: pick(next, ['^/blog/', '^/shop/', '/pricing$']),
    }),
  ];
  return pick(next, kinds)();
}

/** 50 segments: single conditions, small all/any groups, and a few nested groups. */
function segmentsIR(next: () => number): Condition[] {
  return Array.from({ length: 50 }, (_, index) => {
    if (index % 5 === 0) return leaf(next);
    const group = Array.from({ length: 2 + Math.floor(next() * 3) }, () => leaf(next)) as Condition[];
    if (index % 7 === 0) group.push({ any: [leaf(next), leaf(next)] });
    return next() < 0.6 ? { all: group } : { any: group };
  });
}

function profiles(next: () => number, count: number): Array<{ traits: JsonObject; context: JsonObject }> {
  return Array.from({ length: count }, (_, i) => {
    const traits: JsonObject = {
      plan: pick(next, PLANS),
      age: 16 + Math.floor(next() * 50),
      orders: Math.floor(next() * 12),
      country: pick(next, COUNTRIES),
      email: `${pick(next, ['alice', 'bob', 'zoe', 'nina'])}${i}@${pick(next, ['example.com', 'mail.fr', 'web.de'])}`,
      newsletter: next() < 0.4,
    };
    if (next() < 0.3) traits.company = 'ACME';
    const context: JsonObject = {
      device: { type: pick(next, DEVICES) },
      locale: pick(next, LOCALES),
      page: { path: pick(next, ['/blog/a', '/shop/b', '/pricing', '/']) },
    };
    if (next() < 0.5) context.campaign = { source: pick(next, SOURCES) };
    return { traits, context };
  });
}

// --- the three encodings ------------------------------------------------------------------

const MONGO: Record<Op, string> = {
  eq: '$eq',
  ne: '$ne',
  in: '$in',
  nin: '$nin',
  gt: '$gt',
  gte: '$gte',
  lt: '$lt',
  lte: '$lte',
  regex: '$regex',
  exists: '$exists',
};

function ours(condition: Condition): unknown {
  if ('all' in condition) return { all: condition.all.map(ours) };
  if ('any' in condition) return { any: condition.any.map(ours) };
  return { [condition.source]: { [condition.field]: { [MONGO[condition.op]]: condition.value } } };
}

function growthbook(condition: Condition): Record<string, unknown> {
  if ('all' in condition) return { $and: condition.all.map(growthbook) };
  if ('any' in condition) return { $or: condition.any.map(growthbook) };
  return { [`${condition.source}.${condition.field}`]: { [MONGO[condition.op]]: condition.value } };
}

const JRE: Record<Op, string> = {
  eq: 'equal',
  ne: 'notEqual',
  in: 'in',
  nin: 'notIn',
  gt: 'greaterThan',
  gte: 'greaterThanInclusive',
  lt: 'lessThan',
  lte: 'lessThanInclusive',
  regex: 'matches',
  exists: 'exists',
};

function jsonRules(condition: Condition): Record<string, unknown> {
  if ('all' in condition) return { all: condition.all.map(jsonRules) };
  if ('any' in condition) return { any: condition.any.map(jsonRules) };
  return {
    fact: condition.source,
    path: `$.${condition.field}`,
    operator: JRE[condition.op],
    value: condition.value,
  };
}

function jsonRulesEngine(conditions: Condition[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator(
    'matches',
    (fact: unknown, pattern: string) => typeof fact === 'string' && new RegExp(pattern).test(fact),
  );
  engine.addOperator('exists', (fact: unknown, expected: boolean) => (fact !== undefined) === expected);
  // Missing paths must fail comparisons (as in the other two), not compare `undefined`.
  conditions.forEach((condition, index) =>
    engine.addRule({
      name: `s${index}`,
      conditions: ('all' in condition || 'any' in condition
        ? jsonRules(condition)
        : { all: [jsonRules(condition)] }) as never,
      event: { type: `s${index}` },
    }),
  );
  return engine;
}

// --- measurement ----------------------------------------------------------------------------

/** Runs `body` over the profiles repeatedly for about `seconds`; returns profiles per second. */
async function measure(seconds: number, count: number, body: (index: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(count, 200); i++) await body(i); // warm-up
  let done = 0;
  const started = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - started < budget) {
    for (let i = 0; i < count; i++) {
      const result = body(i);
      if (result instanceof Promise) await result;
    }
    done += count;
  }
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Windows, scores, deadlines and clocks: the engine's own work beyond attribute matching. */
function measureTimedRules(
  next: () => number,
  seconds: number,
): { evaluateMicros: number; routeNanos: number } {
  const rule = (key: string, value: unknown): SegmentDefinition => ({
    key,
    name: key,
    priority: 1,
    enabled: true,
    rule: value,
  });
  const rules = compileRuleSet({
    segments: [
      rule('burst', {
        count: { event: 'Article Viewed', where: { category: 'news' } },
        within: '10m',
        is: { $gt: 3 },
      }),
      rule('same-product', { count: 'Product Viewed', per: 'productId', within: '10m', is: { $gt: 3 } }),
      rule('browser', { distinct: 'Product Viewed', of: 'productId', within: '1h', is: { $gte: 5 } }),
      rule('big-cart', { sum: 'Product Added', of: 'price', within: '1d', is: { $gt: 500 } }),
      rule('vip', { score: 'engagement', enter: { $gte: 50 }, stay: { $gte: 40 } }),
      rule('no-purchase', {
        noFollowUp: {
          after: { event: 'Product Viewed', where: { price: { $gt: 500 } } },
          then: 'Order Completed',
          within: '48h',
          lookback: '7d',
        },
      }),
      rule('lapsed', { none: 'Order Completed', within: '30d' }),
      rule('evening', {
        all: [{ context: { 'device.type': 'mobile' } }, { localTime: { from: '17:00', to: '23:00' } }],
      }),
    ],
    scores: [
      {
        key: 'engagement',
        within: '30d',
        halfLife: '7d',
        points: [
          { event: 'page', add: 1 },
          { event: 'Product Added', add: 5 },
          { event: 'Order Completed', add: 20 },
        ],
      },
    ],
  });
  const now = Date.parse('2026-11-22T12:00:00Z');
  const types = ['page', 'Article Viewed', 'Product Viewed', 'Product Added', 'Order Completed'];
  const events: VisitorEvent[] = Array.from({ length: 200 }, (_, i) => ({
    id: `e${i}`,
    type: pick(next, types),
    timestamp: now - Math.floor(next() * 8 * 86_400_000),
    properties: {
      category: pick(next, ['news', 'sport']),
      productId: `p${Math.floor(next() * 20)}`,
      price: Math.floor(next() * 900),
    },
    context: {},
  }));
  const facts = factsFromEvents(
    rules,
    events,
    now,
    {},
    {},
    { timezone: 'Europe/Paris', device: { type: 'mobile' } },
  );
  let sink = 0;
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let evaluations = 0;
  const started = process.hrtime.bigint();
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 100; i++) sink += rules.evaluate(facts, now + i).nextChangeAt ?? 0;
    evaluations += 100;
  }
  const evaluateMicros = Number(process.hrtime.bigint() - started) / 1e3 / evaluations;
  const routeStarted = process.hrtime.bigint();
  const rounds = 2_000;
  for (let round = 0; round < rounds; round++) for (const event of events) sink += rules.route(event).length;
  const routeNanos = Number(process.hrtime.bigint() - routeStarted) / (rounds * events.length);
  if (sink === 0) console.log('(no work done?)');
  return { evaluateMicros, routeNanos };
}

export async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 2);
  const next = random(2026);
  const conditions = segmentsIR(next);
  const visitors = profiles(next, 1_000);
  const now = Date.parse('2026-11-22T12:00:00Z');

  const segments: SegmentDefinition[] = conditions.map((condition, index) => ({
    key: `s${index}`,
    name: `Segment ${index}`,
    priority: index,
    enabled: true,
    rule: ours(condition),
  }));
  const compiled = compileRuleSet({ segments });
  const facts: ProfileFacts[] = visitors.map(({ traits, context }) => ({
    traits,
    context,
    streams: {},
    previous: {},
  }));
  const gbConditions = conditions.map(growthbook);
  const gbAttributes = visitors.map(({ traits, context }) => ({ traits, context }));
  const engine = jsonRulesEngine(conditions);

  // Same answers first: a benchmark of engines that disagree measures nothing.
  let disagreements = 0;
  for (let v = 0; v < visitors.length; v++) {
    const evaluation = compiled.evaluate(facts[v]!, now);
    const jre = new Set((await engine.run(visitors[v]!)).events.map((event) => event.type));
    for (let s = 0; s < segments.length; s++) {
      const member = evaluation.segments[`s${s}`]!.member;
      if (member !== evalCondition(gbAttributes[v]!, gbConditions[s]! as never)) disagreements++;
      if (member !== jre.has(`s${s}`)) disagreements++;
    }
  }
  const members = facts.reduce(
    (sum, f) => sum + Object.values(compiled.evaluate(f, now).segments).filter((r) => r.member).length,
    0,
  );
  console.log(
    `50 segments × ${visitors.length} profiles, ${members} memberships, ${disagreements} disagreements`,
  );
  if (disagreements > 0) throw new Error('the engines disagree; fix the translation before comparing speed');

  let sink = 0;
  const oursRate = await measure(seconds, facts.length, (i) => {
    sink += compiled.evaluate(facts[i]!, now).nextChangeAt ?? 1;
  });
  const growthbookRate = await measure(seconds, facts.length, (i) => {
    const attributes = gbAttributes[i]!;
    for (const condition of gbConditions) if (evalCondition(attributes, condition as never)) sink++;
  });
  const jsonRulesRate = await measure(seconds, facts.length, async (i) => {
    sink += (await engine.run(visitors[i]!)).events.length;
  });
  if (sink === 0) console.log('(no work done?)');

  const timed = measureTimedRules(next, seconds / 2);

  const row = (name: string, rate: number) =>
    console.log(
      `${name.padEnd(22)} ${Math.round(rate).toString().padStart(9)} profiles/s  ${(1e6 / rate).toFixed(2).padStart(9)} µs/profile (50 segments)`,
    );
  row('compiled rules (ours)', oursRate);
  row('GrowthBook evalCondition', growthbookRate);
  row('json-rules-engine', jsonRulesRate);
  console.log(
    `behavioural rules: evaluate ${timed.evaluateMicros.toFixed(1)} µs/profile (8 segments, 200 events, with nextChangeAt), route ${timed.routeNanos.toFixed(0)} ns/event`,
  );
  console.log(
    JSON.stringify({
      bench: 'rules',
      vs_json_rules_engine: Math.round((oursRate / jsonRulesRate) * 10) / 10,
      vs_growthbook: Math.round((oursRate / growthbookRate) * 100) / 100,
    }),
  );
}
