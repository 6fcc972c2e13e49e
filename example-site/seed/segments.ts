/**
 * The demo's segments: the use cases this product exists for, in the JSON rule language of
 * `engine/rules` (README.md there). Keys are part of the demo's contract (banners and blocks are
 * tagged with them, tests name them): do not rename.
 *
 * Event names follow the Segment e-commerce spec, which the SPA sends: `Article Viewed`
 * (`properties.category`), `Product Viewed` (`properties.productId`, `properties.price`),
 * `Product Added`, `Order Completed`, and `page` for page views.
 */
import type { RuleSetSource, SegmentDefinition } from '../../engine/types';

/** Windows a test may shorten (durations in the rule language: `"30m"`, `"4s"`). */
export interface DemoWindows {
  /** How long after an add-to-cart without purchase a visitor becomes a cart abandoner. Default 30m. */
  cartAbandonment?: string;
}

/** The engagement score: page views, add-to-cart and purchases, weighted, fading by half each week. */
export const DEMO_SCORES = [
  {
    key: 'engagement',
    name: 'Engagement',
    description:
      'Page views 1 point, add-to-cart 5, purchases 20, over 30 days; points fade by half every 7 days.',
    within: '30d',
    halfLife: '7d',
    points: [
      { event: 'page', add: 1 },
      { event: 'Product Added', add: 5 },
      { event: 'Order Completed', add: 20 },
    ],
  },
];

/** The seven demo segments; `windows` shortens time windows for tests. */
export function demoSegments(windows: DemoWindows = {}): SegmentDefinition[] {
  return [
    {
      key: 'breaking-news',
      name: 'Breaking news readers',
      description: 'More than 3 news articles viewed within 10 minutes.',
      priority: 70,
      enabled: true,
      rule: {
        count: { event: 'Article Viewed', where: { category: 'news' } },
        within: '10m',
        is: { $gt: 3 },
      },
    },
    {
      key: 'high-interest',
      name: 'High interest in a product',
      description: 'The same product viewed more than 3 times within 10 minutes.',
      priority: 60,
      enabled: true,
      rule: { count: { event: 'Product Viewed' }, per: 'productId', within: '10m', is: { $gt: 3 } },
    },
    {
      key: 'vip',
      name: 'VIP',
      description: 'Engagement score of at least 50; stays a VIP until it drops below 40.',
      priority: 80,
      enabled: true,
      rule: { score: 'engagement', enter: { $gte: 50 }, stay: { $gte: 40 } },
    },
    {
      key: 'interested-not-purchased',
      name: 'Interested, not purchased',
      description:
        'Viewed a product priced over 500, no purchase within 48 hours of it (for a week after the view).',
      priority: 50,
      enabled: true,
      rule: {
        noFollowUp: {
          after: { event: 'Product Viewed', where: { price: { $gt: 500 } } },
          then: { event: 'Order Completed' },
          within: '48h',
          lookback: '7d',
        },
      },
    },
    {
      key: 'cart-abandoner',
      name: 'Cart abandoners',
      description: 'Added to cart, no purchase within 30 minutes (for a day after).',
      priority: 90,
      enabled: true,
      rule: {
        noFollowUp: {
          after: { event: 'Product Added' },
          then: { event: 'Order Completed' },
          within: windows.cartAbandonment ?? '30m',
          lookback: '1d',
        },
      },
    },
    {
      key: 'new-visitor',
      name: 'New visitors',
      description: 'First seen within the last 30 minutes, and no purchase ever.',
      priority: 20,
      enabled: true,
      rule: { all: [{ profileAge: { $lt: '30m' } }, { none: { event: 'Order Completed' } }] },
    },
    {
      key: 'mobile-evening',
      name: 'Mobile, in the evening',
      description: 'On a mobile device, between 17:00 and 23:00 local time (the browser’s time zone).',
      priority: 30,
      enabled: true,
      rule: {
        all: [{ context: { 'device.type': 'mobile' } }, { localTime: { from: '17:00', to: '23:00' } }],
      },
    },
  ];
}

/** The demo segments with their real windows. */
export const DEMO_SEGMENTS: SegmentDefinition[] = demoSegments();

/** Segments and scores together, as `compileRuleSet` and `Personalizer.setRules` take them. */
export function demoRuleSet(windows: DemoWindows = {}): RuleSetSource {
  return { segments: demoSegments(windows), scores: DEMO_SCORES };
}

/** The demo rule set with its real windows. */
export const DEMO_RULE_SET: RuleSetSource = demoRuleSet();
