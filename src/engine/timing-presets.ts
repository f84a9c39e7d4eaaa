import type { TimingDeclaration } from './timing.js'

/**
 * The timings kinds declare, per profile. `fast` follows seed 000 (builds of
 * about 2 s); `realistic` follows seed 002 (30-60 s creations, 1 in 10 fail).
 */
export const PROVISION: TimingDeclaration = {
  instant: { latency: '0' },
  fast: { latency: '1500ms..2500ms' },
  realistic: { latency: '30s..60s', failureRate: 0.1 },
}

/** Power and attachment changes: quicker than a build, and they do not fail by default. */
export const QUICK_CHANGE: TimingDeclaration = {
  instant: { latency: '0' },
  fast: { latency: '300ms..800ms' },
  realistic: { latency: '5s..15s' },
}

export const TEARDOWN: TimingDeclaration = {
  instant: { latency: '0' },
  fast: { latency: '300ms..800ms' },
  realistic: { latency: '5s..20s' },
}

/** A pool pod's repository sync (git clones and pulls): seconds, and it can fail on the realistic profile. */
export const REPO_SYNC: TimingDeclaration = {
  instant: { latency: '0' },
  fast: { latency: '500ms..1500ms' },
  realistic: { latency: '10s..30s', failureRate: 0.05 },
}
