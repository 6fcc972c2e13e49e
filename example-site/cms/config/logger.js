'use strict';

/** Strapi's default logger, at `LOG_LEVEL` (default `http`: every request; tests use `warn`). */
module.exports = ({ env }) => ({ level: env('LOG_LEVEL', 'http') });
