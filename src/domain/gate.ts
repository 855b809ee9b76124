/**
 * The promotion gate's evidence: what the bot saw when it let a build leave a stage (or why it
 * would not). One record per evaluation that the monitor reports to the orchestrator; every
 * promotion names the record it relied on (`Decision.evidence.gateId`). Stored in `gate_records`,
 * returned by `GET /api/builds/:id` (`gates`) and printed by `releasebot evaluate`.
 */

/**
 * - `pass`: every check had fresh samples since the deploy in every in-scope series and nothing breached.
 * - `inconclusive`: the bot could not see enough (no data, stale data, backend down, series dark
 *   everywhere, never-seen scope). Blocks promotion; never rolls back.
 * - `breach`: a check breached (or the deploy's own series went dark while others still report).
 */
export type GateVerdict = 'pass' | 'inconclusive' | 'breach';

/** The evidence for one check in one gate evaluation. */
export interface GateCheckEvidence {
  check: string;
  verdict: GateVerdict;
  /** Why this verdict, naming the scope and the last sample time when data was missing or stale. */
  reason: string;
  /** In-scope series (each tier x AZ x environment the stage deploys to) the backend returned. */
  inScopeSeries: number;
  /** In-scope series with at least one sample after the deploy finished and a fresh newest sample. */
  freshSeries: number;
  /** Samples after the deploy finished, summed over the in-scope series. */
  samplesSinceDeploy: number;
  /** The stalest in-scope series' newest sample time (ms), or null when none has any sample. */
  newestSampleAt: number | null;
  /** `evaluatedAt - newestSampleAt` (ms), or null. */
  newestSampleAgeMs: number | null;
  /** Newest sample must be at most this old (ms): a configured bound, or 3x the observed sample spacing. */
  stalenessBoundMs: number;
  /** Largest |z| seen in scope and the threshold it is held to, when the detector computed one. */
  z?: number;
  threshold?: number;
}

/** One gate evaluation of one build in one stage. */
export interface GateRecord {
  /** Stable id: `gate:<build>:<stage>:<evaluatedAt>`. */
  id: string;
  buildId: string;
  stage: string;
  /** The deployed scope the evidence had to come from. */
  scope: { environment: string; tier: string; azs: string[] };
  verdict: GateVerdict;
  /** One line: the first failing check's reason, or what passed. */
  reason: string;
  /** When the evaluation started (its queries were sent to the backend at or after this time). */
  evaluatedAt: number;
  /** When the deploy finished (samples must be newer than this). */
  deployFinishedAt: number;
  /** When the stage's bake ended, when it had (an evaluation before it cannot open the gate). */
  bakeEndedAt?: number;
  /** Every check of the stage; empty when there are none (the gate passes trivially and says so). */
  checks: GateCheckEvidence[];
}
