/**
 * The project that owns what every project may see: seeded flavors and images,
 * the public network. No request can name it (project ids must start with a
 * letter or digit).
 */
export const SHARED_PROJECT = '~shared'

/** What a valid project id looks like, on every face. */
export const PROJECT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'
