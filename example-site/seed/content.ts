/**
 * The demo's content, as plain data: articles with categories, products with prices, one banner
 * variant per segment (plus the untagged fallback everyone sees) and a home page whose dynamic-zone
 * blocks are tagged per segment. Each entry is written in the shape Strapi's document service takes
 * (`documents(uid).create({ data })`), and the segment tags are what the `plugin::personalize.segments`
 * custom field stores: an array of segment keys (empty = shown to everyone).
 *
 * Every entry has a natural key (`slug`, or `placement` + `title` for banners) so seeding can tell
 * what already exists and stays idempotent.
 */

/** Article categories; `news` is what the `breaking-news` segment counts. */
export const ARTICLE_CATEGORIES = ['news', 'sport', 'tech', 'culture'] as const;
export type ArticleCategory = (typeof ARTICLE_CATEGORIES)[number];

export interface DemoArticle {
  slug: string;
  title: string;
  category: ArticleCategory;
  summary: string;
  body: string;
  segments: string[];
}

export interface DemoProduct {
  slug: string;
  name: string;
  /** In euros. Over 500 is what `interested-not-purchased` watches. */
  price: number;
  description: string;
  segments: string[];
}

/** Visual theme of a banner or block, so variants are told apart at a glance. */
export type Theme = 'neutral' | 'alert' | 'warm' | 'gold' | 'fresh' | 'night' | 'calm';

export interface DemoBanner {
  /** Where the banner goes; the front end asks `banner(placement: "home")`. */
  placement: string;
  title: string;
  body: string;
  ctaLabel: string;
  ctaUrl: string;
  theme: Theme;
  segments: string[];
}

/** One home page block: a `__component` of the `blocks` dynamic zone. */
export type DemoBlock =
  | { __component: 'blocks.hero'; title: string; subtitle: string; theme: Theme; segments: string[] }
  | {
      __component: 'blocks.promo';
      title: string;
      text: string;
      ctaLabel: string;
      ctaUrl: string;
      theme: Theme;
      segments: string[];
    }
  | { __component: 'blocks.article-list'; title: string; category: ArticleCategory; segments: string[] };

export interface DemoHomePage {
  title: string;
  blocks: DemoBlock[];
}

const lorem =
  'This is demo content seeded by strapi-plugin-personalize. Open it a few times, or several articles of the same category, and watch the home page adapt in the other tab.';

export const DEMO_ARTICLES: DemoArticle[] = [
  {
    slug: 'storm-reaches-the-coast',
    title: 'Storm reaches the coast overnight',
    category: 'news',
    summary: 'Coastal towns brace as the first autumn storm makes landfall.',
    body: lorem,
    segments: [],
  },
  {
    slug: 'parliament-votes-on-budget',
    title: 'Parliament votes on the new budget',
    category: 'news',
    summary: 'A late-night session ends with a narrow majority.',
    body: lorem,
    segments: [],
  },
  {
    slug: 'rail-strike-called-off',
    title: 'Rail strike called off at the last minute',
    category: 'news',
    summary: 'Commuters get their trains back after a midnight agreement.',
    body: lorem,
    segments: [],
  },
  {
    slug: 'city-opens-new-bridge',
    title: 'The city opens its new bridge',
    category: 'news',
    summary: 'Pedestrians and cyclists first, cars from next month.',
    body: lorem,
    segments: [],
  },
  {
    slug: 'heatwave-records-broken',
    title: 'Heatwave: records broken in the south',
    category: 'news',
    summary: 'Forecasters expect relief by the weekend.',
    body: lorem,
    segments: [],
  },
  {
    slug: 'derby-ends-in-a-draw',
    title: 'Derby ends in a draw',
    category: 'sport',
    summary: 'Two late goals, one point each.',
    body: lorem,
    segments: [],
  },
  {
    slug: 'marathon-course-unveiled',
    title: 'Marathon course unveiled',
    category: 'sport',
    summary: 'Flatter, faster, and through the old town.',
    body: lorem,
    segments: [],
  },
  {
    slug: 'redis-at-the-edge',
    title: 'Why sliding windows belong in Redis',
    category: 'tech',
    summary: 'Sorted sets make "3 views in 10 minutes" exact.',
    body: lorem,
    segments: [],
  },
  {
    slug: 'museum-night',
    title: 'A night at the museum, for real',
    category: 'culture',
    summary: 'Doors open until 2 a.m. this Saturday.',
    body: lorem,
    segments: [],
  },
];

export const DEMO_PRODUCTS: DemoProduct[] = [
  {
    slug: 'aurora-laptop',
    name: 'Aurora 14 laptop',
    price: 1299,
    description: 'Fourteen inches, two kilos less than you expect.',
    segments: [],
  },
  {
    slug: 'nimbus-camera',
    name: 'Nimbus mirrorless camera',
    price: 849,
    description: 'Full frame, weather sealed, silent shutter.',
    segments: [],
  },
  {
    slug: 'drift-headphones',
    name: 'Drift noise-cancelling headphones',
    price: 229,
    description: 'Thirty hours of quiet.',
    segments: [],
  },
  {
    slug: 'pulse-watch',
    name: 'Pulse sport watch',
    price: 349,
    description: 'GPS, heart rate, a week of battery.',
    segments: [],
  },
  {
    slug: 'ember-mug',
    name: 'Ember travel mug',
    price: 19,
    description: 'Keeps coffee hot for your whole commute.',
    segments: [],
  },
];

/** Home banners: the untagged fallback first, then one variant per segment. */
export const DEMO_BANNERS: DemoBanner[] = [
  {
    placement: 'home',
    title: 'Welcome to the Personalize demo store',
    body: 'Browse articles and products: this banner changes as you do.',
    ctaLabel: 'Read the news',
    ctaUrl: '/articles/storm-reaches-the-coast',
    theme: 'neutral',
    segments: [],
  },
  {
    placement: 'home',
    title: 'Breaking: you are following the news closely',
    body: 'Live coverage and alerts, straight to you.',
    ctaLabel: 'Latest news',
    ctaUrl: '/articles/heatwave-records-broken',
    theme: 'alert',
    segments: ['breaking-news'],
  },
  {
    placement: 'home',
    title: 'Still thinking about it?',
    body: 'The product you keep coming back to is in stock, with free delivery today.',
    ctaLabel: 'See the laptop',
    ctaUrl: '/products/aurora-laptop',
    theme: 'warm',
    segments: ['high-interest'],
  },
  {
    placement: 'home',
    title: 'Thank you for being a VIP',
    body: 'Early access to every sale and free express shipping.',
    ctaLabel: 'Your perks',
    ctaUrl: '/',
    theme: 'gold',
    segments: ['vip'],
  },
  {
    placement: 'home',
    title: 'A big purchase deserves a good deal',
    body: '0% financing over 12 months on everything above €500.',
    ctaLabel: 'Financing options',
    ctaUrl: '/products/nimbus-camera',
    theme: 'calm',
    segments: ['interested-not-purchased'],
  },
  {
    placement: 'home',
    title: 'You left something in your cart',
    body: 'Complete your order in the next hour: 10% off with code COMEBACK.',
    ctaLabel: 'Back to cart',
    ctaUrl: '/cart',
    theme: 'warm',
    segments: ['cart-abandoner'],
  },
  {
    placement: 'home',
    title: 'New here? Welcome!',
    body: '15% off your first order, for the next 30 minutes.',
    ctaLabel: 'Start shopping',
    ctaUrl: '/products/drift-headphones',
    theme: 'fresh',
    segments: ['new-visitor'],
  },
  {
    placement: 'home',
    title: 'Evening scroll?',
    body: 'Tonight only on mobile: free delivery before midnight.',
    ctaLabel: 'Browse',
    ctaUrl: '/products/pulse-watch',
    theme: 'night',
    segments: ['mobile-evening'],
  },
];

export const DEMO_HOME_PAGE: DemoHomePage = {
  title: 'Personalize demo store',
  blocks: [
    {
      __component: 'blocks.hero',
      title: 'Today’s picks',
      subtitle: 'A little bit of everything, for everyone.',
      theme: 'neutral',
      segments: [],
    },
    {
      __component: 'blocks.hero',
      title: 'The stories everyone is following',
      subtitle: 'You read the news: here is what just happened.',
      theme: 'alert',
      segments: ['breaking-news'],
    },
    {
      __component: 'blocks.article-list',
      title: 'Latest news',
      category: 'news',
      segments: ['breaking-news'],
    },
    {
      __component: 'blocks.promo',
      title: 'Compare before you decide',
      text: 'Side by side specs of the products you looked at most.',
      ctaLabel: 'Compare',
      ctaUrl: '/products/aurora-laptop',
      theme: 'warm',
      segments: ['high-interest'],
    },
    {
      __component: 'blocks.promo',
      title: 'VIP lounge',
      text: 'Members-only prices, refreshed every week.',
      ctaLabel: 'Enter',
      ctaUrl: '/',
      theme: 'gold',
      segments: ['vip'],
    },
    {
      __component: 'blocks.promo',
      title: 'Questions before buying?',
      text: 'Book a free 15-minute video call with a product expert.',
      ctaLabel: 'Book a call',
      ctaUrl: '/products/nimbus-camera',
      theme: 'calm',
      segments: ['interested-not-purchased'],
    },
    {
      __component: 'blocks.promo',
      title: 'Your cart is waiting',
      text: 'We kept everything for you.',
      ctaLabel: 'Checkout',
      ctaUrl: '/cart',
      theme: 'warm',
      segments: ['cart-abandoner'],
    },
    {
      __component: 'blocks.promo',
      title: 'How it works',
      text: 'Free returns for 30 days, delivery in 48 hours.',
      ctaLabel: 'Start',
      ctaUrl: '/products/ember-mug',
      theme: 'fresh',
      segments: ['new-visitor'],
    },
    {
      __component: 'blocks.promo',
      title: 'Wind down',
      text: 'Evening reads, picked for small screens.',
      ctaLabel: 'Read',
      ctaUrl: '/articles/museum-night',
      theme: 'night',
      segments: ['mobile-evening'],
    },
    { __component: 'blocks.article-list', title: 'From the newsroom', category: 'news', segments: [] },
  ],
};

/** The account printed at start-up, to sign in to the Strapi admin and edit segments. */
export const DEMO_ADMIN = {
  email: 'admin@personalize.demo',
  password: 'Personalize-demo-1',
  firstname: 'Demo',
  lastname: 'Editor',
} as const;
