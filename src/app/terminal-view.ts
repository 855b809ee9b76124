import type { Decision } from '../domain/pipeline.js';
import type { DeployEvent } from '../domain/events.js';
import type { PipelineState, SlotState } from '../pipeline/state.js';

const SEVERITY_MARK: Record<DeployEvent['severity'], string> = {
  white: '[white]',
  blue: '[blue]',
  red: '[RED]',
  siren: '[SIREN]',
  fire: '[FIRE]',
};

function clockText(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function slotLine(slot: SlotState, now: number, widths: { stage: number }): string {
  const stage = slot.stage.padEnd(widths.stage);
  if (!slot.buildId) return `  ${stage}  -`;
  let detail: string = slot.phase;
  if (slot.phase === 'baking' && slot.bakeUntil !== undefined) {
    const left = Math.max(0, Math.round((slot.bakeUntil - now) / 1000));
    detail = `baking, ${Math.floor(left / 60)}m${String(left % 60).padStart(2, '0')}s left`;
  }
  const blocks = Object.values(slot.blocks ?? {});
  const blocked = blocks.length ? `  blocked: ${blocks.join('; ')}` : '';
  return `  ${stage}  ${slot.buildId.padEnd(8)} ${detail}${blocked}`;
}

/**
 * Renders the demo's live terminal view: which build is in which stage, the queue, holds,
 * open events and the latest decisions with their reasons. Pure: state in, text out.
 */
export function renderTerminalView(input: {
  now: number;
  state: PipelineState;
  decisions: Decision[];
  events: DeployEvent[];
  url?: string;
}): string {
  const { now, state } = input;
  const width = Math.max(...state.slots.map((s) => s.stage.length), 5);
  const lines: string[] = [];
  lines.push(`releasebot demo  ${clockText(now)} (simulated)${input.url ? `  UI ${input.url}` : ''}`);
  if (state.hold) lines.push(`PIPELINE ${state.hold.kind.toUpperCase()} by ${state.hold.actor.id}: ${state.hold.reason}`);
  lines.push('stages:');
  for (const slot of state.slots) lines.push(slotLine(slot, now, { stage: width }));
  lines.push(`queue: ${state.queue.length ? state.queue.join(', ') : '(empty)'}`);
  const open = input.events.filter((e) => e.status === 'open');
  lines.push(`open events: ${open.length ? '' : '(none)'}`);
  for (const e of open.slice(0, 5)) {
    lines.push(`  ${SEVERITY_MARK[e.severity]} ${e.buildId}@${e.stage} confidence ${e.confidence}: ${e.summary}`);
  }
  lines.push('decisions:');
  for (const d of input.decisions.slice(-8)) {
    const who = d.actor.kind === 'bot' ? `bot/${d.actor.id}` : d.actor.id;
    const where = [d.buildId, d.stage].filter(Boolean).join('@');
    lines.push(`  ${clockText(d.at)} ${d.kind.padEnd(9)} ${where.padEnd(20)} ${who}: ${d.reason}`);
  }
  return lines.join('\n');
}
