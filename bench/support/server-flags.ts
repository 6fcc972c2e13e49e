/**
 * The Node flags a measured server runs with: the ones `npm run serve` uses and the README
 * recommends for production (Strapi hosts included, through `NODE_OPTIONS`).
 *
 * `--max-semi-space-size=64` (MB; V8's default is 16): a live-query server holds thousands of
 * sockets, so every young-generation GC (scavenge) scans a large old generation's pointers into
 * the young one, and a bigger young generation makes those pauses several times rarer, for
 * more memory (figures: bench/README.md, "load").
 *
 * The push benchmark leaves it out on purpose: it measures memory per idle subscription, and the
 * bigger young generation is a fixed ~70 MB of RSS that dividing by N would charge to the sockets.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];
