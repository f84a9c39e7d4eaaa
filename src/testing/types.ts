import type { Static } from 'typebox'
import type { Call, CallsQuery, Clock, Config, ConfigBody, Event, EventHistory, EventHistoryQuery, EventsQuery, Fault, QuotaLimitsBody, Quotas, FaultRuleBody, ResetResult, Snapshot, SnapshotLoaded } from '../faces/control/schemas.js'

/**
 * The control face's shapes, as the test kit sends and receives them: the
 * same snake_case JSON as `/_mockcloud/…`, so a rule written for curl works
 * unchanged in a test.
 */

/**
 * A fault rule: which operations it matches and what it does to them.
 *
 * @example
 * { kind: 'vm', operation: 'create', match: { name: 'web-*' }, effect: { error: { status: 503, message: 'no capacity' } }, count: 1 }
 * { kind: 'volume', operation: 'attach', effect: { stuck: true } }
 * { kind: 'vm', operation: 'create', effect: { fail_lifecycle: true }, rate: 0.5 }
 * { kind: 'vm', operation: 'create', match: { phase: 'networking' }, effect: { stuck: true } }
 */
export type FaultRule = Static<typeof FaultRuleBody>
/** A rule as stored, with its id and how often it matched and fired. */
export type Fault = Static<typeof Fault>
/** Emulated time and how it runs (`manual`, `system` or `scaled`). */
export type ClockState = Static<typeof Clock>
/** One request a face answered. */
export type CallRecord = Static<typeof Call>
/** Filters of the call log: face, operation (`vms.create`), method, status, project, after (seq), limit. */
export type CallFilter = Static<typeof CallsQuery>
/** The whole state of a mockcloud, pending transitions included. */
export type Snapshot = Static<typeof Snapshot>
export type SnapshotLoaded = Static<typeof SnapshotLoaded>
export type ResetResult = Static<typeof ResetResult>
/** One state change, as `/_mockcloud/events` streams it. */
export type ControlEvent = Static<typeof Event>
/** Filters of the event stream: `project`, `kind` (`vm`, `volume`…), and `after`: replay the events after this number first. */
export type EventFilter = Static<typeof EventsQuery>
/** A page of the kept event history: `project`, `kind`, `after` (a number), `limit`. */
export type EventHistoryQuery = Static<typeof EventHistoryQuery>
/** A page of events, the latest number, and where the kept history starts. */
export type EventHistoryPage = Static<typeof EventHistory>
/** A project's quotas: for each, the limit in force (-1: none), what it uses, and whether the limit is its own. */
export type QuotaReport = Static<typeof Quotas>
/** Limits to set, by quota (`instances`, `cores`, `floating_ips`…); -1 is no limit. */
export type QuotaLimitsChange = Static<typeof QuotaLimitsBody>
/** What a mockcloud runs with: profile, timing overrides, clock, seed, backends. */
export type Config = Static<typeof Config>
/** A change of timings: a new `profile`, and/or `timing` overrides replacing the old ones. */
export type ConfigChange = Static<typeof ConfigBody>
