import type { GeneratorMemory, LatencySummary, RunRecord, ShardInfo } from '../types.js';
import { formatBytes, formatCount, formatMicros, renderTable } from './format.js';
import { BACKEND_HEADER, backendRows, describeImbalance, hasSeveralBackends } from './backend-table.js';

const LATENCY_HEADER = ['p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max'];

function latencyCells(l: LatencySummary): string[] {
  return [l.p50, l.p90, l.p99, l.p999, l.p9999, l.max].map(formatMicros);
}

function describeLoad(run: RunRecord): string {
  const c = run.config;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const loop = c.rate === null ? `in-flight ${c.inFlight} per stream (closed loop)` : `${formatCount(c.rate)} msgs/s open loop (in-flight cap ${c.inFlight})`;
  const churn = c.messagesPerStream === null || c.messagesPerStream === undefined ? [] : [`new call every ${formatCount(c.messagesPerStream)} echoes`];
  if (c.connectionChurn !== null && c.connectionChurn !== undefined) churn.push(`new connection every ${formatCount(c.connectionChurn)} calls`);
  const security = c.security === undefined || c.security === 'plaintext' ? [] : [c.security];
  return [
    `${c.engine ?? 'grpc-js'} engine`,
    ...security,
    plural(c.workers, 'worker'),
    plural(c.connections, 'connection'),
    plural(c.streams, 'stream'),
    loop,
    ...churn,
    `${formatBytes(c.size)} (${c.compressibility === undefined ? "'.' padding" : `${c.compressibility}% compressible`})`,
    c.compression,
    `window ${c.window === null ? 'default (64 KiB)' : formatBytes(c.window)}`,
  ].join(' · ');
}

/** "shard 2/3 of run nightly-42 · streams 6–11 (6 of 18) · started at the planned time". */
export function describeShard(shard: ShardInfo): string {
  const last = shard.streams.first + shard.streams.count - 1;
  const start =
    shard.plannedStartMs === null
      ? 'started when ready'
      : shard.late
        ? `started ${formatCount(shard.lateByMs ?? shard.actualStartMs - shard.plannedStartMs)} ms after the planned ${new Date(shard.plannedStartMs).toISOString()} (late)`
        : `started at the planned ${new Date(shard.plannedStartMs).toISOString()}`;
  const streams = shard.streams.count === 1 ? `stream ${shard.streams.first}` : `streams ${shard.streams.first}–${last}`;
  return `shard ${shard.index}/${shard.count} of run ${shard.runId} · ${streams} · ${start} · figures are this shard's own`;
}

/** "RSS peak 212 MiB · first quarter 180 MiB · last quarter 190 MiB · heap used: main 30 MiB, workers 120 MiB". */
export function describeMemory(memory: GeneratorMemory): string {
  const heaps = [memory.peakHeapUsedMiB === null ? '' : `main ${memory.peakHeapUsedMiB} MiB`, memory.peakWorkerHeapUsedMiB === null ? '' : `workers ${memory.peakWorkerHeapUsedMiB} MiB`].filter(Boolean);
  return [
    `generator RSS peak ${memory.peakRssMiB} MiB · first quarter ${memory.firstQuarterRssMiB} MiB · last quarter ${memory.lastQuarterRssMiB} MiB`,
    heaps.length === 0 ? '' : `peak heap used: ${heaps.join(', ')}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** "worker heap cap 160 MiB · young generation 96 MiB" when the run set them; '' otherwise (older files too). */
function describeWorkerLimits(config: RunRecord['config']): string {
  const heap = config.workerHeapMiB ?? null;
  const young = config.workerYoungMiB ?? null;
  return [heap === null ? '' : `worker heap cap ${heap} MiB`, young === null ? '' : `young generation ${young} MiB`].filter(Boolean).join(' · ');
}

/** Connections opened and streams refused, when there is something to say (churn, reconnections, refusals). */
function describeConnections(run: RunRecord): string | null {
  const c = run.metrics.counters;
  const opened = c.connectionsOpened ?? 0;
  const refused = c.refusedStreams ?? 0;
  const retried = c.transparentRetries ?? 0;
  if (opened <= run.config.connections && refused === 0 && retried === 0) return null;
  const parts = [`${formatCount(opened)} opened over the run (--connections ${formatCount(run.config.connections)}${run.config.connectionChurn ? `, a new one every ${formatCount(run.config.connectionChurn)} calls` : ''})`];
  if (refused > 0) parts.push(`${formatCount(refused)} streams refused: the server's stream limit was hit`);
  if (retried > 0) parts.push(`${formatCount(retried)} calls retried transparently (refused before the server processed them)`);
  return parts.join(' · ');
}

/** The human summary of one run. */
export function renderRunSummary(run: RunRecord): string {
  const m = run.metrics;
  const c = m.counters;
  const lines: string[] = [];
  lines.push(`target     ${run.config.target ?? 'embedded echo server'}`);
  if (run.shard) lines.push(`shard      ${describeShard(run.shard)}`);
  lines.push(`load       ${describeLoad(run)}`);
  lines.push(`measured   ${m.durationS.toFixed(2)} s after ${run.config.warmupS} s warm-up · stopped: ${run.stop.reason}${run.stop.detail ? ` (${run.stop.detail})` : ''}`);
  lines.push(`placement  ${run.placement.note}`);
  lines.push('');
  const rows = [['echoes', formatCount(m.msgsPerS), m.mibPerSSent.toFixed(2), m.mibPerSReceived.toFixed(2), ...latencyCells(m.latencyUs), formatCount(m.errorsTotal)]];
  if (m.latencyUncorrectedUs) rows.push(['(uncorrected)', '', '', '', ...latencyCells(m.latencyUncorrectedUs), '']);
  if (m.connectLatencyUs !== undefined && m.connectLatencyUs.count > 0) {
    rows.push([`connection set-up (${m.connectLatencyUs.count})`, '', '', '', ...latencyCells(m.connectLatencyUs), '']);
  }
  if (m.setupLatencyUs !== undefined && m.setupLatencyUs.count > 0) {
    rows.push([`call set-up (${formatCount(m.streamsOpenedPerS)}/s)`, '', '', '', ...latencyCells(m.setupLatencyUs), '']);
  }
  lines.push(renderTable(['', 'msgs/s', 'MiB/s out', 'MiB/s in', ...LATENCY_HEADER, 'errors'], rows));
  lines.push('');
  if (hasSeveralBackends(m.backends)) {
    lines.push(renderTable(BACKEND_HEADER, backendRows(m.backends)));
    lines.push(`backends   ${m.backends.length} · lb ${run.config.lb ?? 'pick_first'} · ${describeImbalance(m.backends)}`);
    lines.push('');
  }
  const unsent = c.unsent > 0 ? ` · ${formatCount(c.unsent)} never sent (held back by backpressure)` : '';
  if (m.wire) {
    const saved = (payload: number, wire: number): string => (payload > 0 ? ` (${Math.round(100 * (1 - wire / payload))}% less than payload)` : '');
    lines.push(
      `wire       ${m.wire.mibPerSSent.toFixed(2)} MiB/s out${saved(m.mibPerSSent, m.wire.mibPerSSent)} · ${m.wire.mibPerSReceived.toFixed(2)} MiB/s in${saved(m.mibPerSReceived, m.wire.mibPerSReceived)} · HTTP/2 DATA after compression; payloads: gzip shrinks them ${m.payload.gzipSavingsPct}%`,
    );
  }
  lines.push(`messages   ${formatCount(c.sent)} sent · ${formatCount(c.received)} echoed · ${formatCount(c.unanswered)} unanswered · ${formatCount(c.mismatches)} wrong echoes${run.config.verify ? ' (verified)' : ''}${unsent}`);
  const paced = c.sent - c.heldBackSends;
  if (run.config.rate !== null && paced > 0) {
    const held = c.heldBackSends > 0 ? ` · ${((100 * c.heldBackSends) / c.sent).toFixed(1)}% held back by the in-flight cap or backpressure` : '';
    lines.push(`pacing     ${run.config.pacing}: sends ${formatMicros((c.sendLagMsTotal / paced) * 1000)} after their intended time on average, ${((100 * c.lateSends) / paced).toFixed(1)}% more than 1 ms late${held}`);
  }
  const statuses = Object.entries(c.errorsByStatus).map(([name, n]) => `${name} ×${n}`);
  if (statuses.length > 0 || c.streamsEndedEarly > 0) {
    lines.push(`errors     ${[...statuses, c.streamsEndedEarly > 0 ? `streams ended early ×${c.streamsEndedEarly}` : ''].filter(Boolean).join(' · ')}`);
  }
  const r = m.resilience;
  if (r !== undefined && (run.config.resilience?.reconnect || r.outages.length > 0)) {
    const recover = r.meanRecoveryS === null ? 'n/a' : `${r.meanRecoveryS.toFixed(2)} s`;
    const ongoing = r.outages.some((o) => o.ongoing) ? ' (one still going at the end)' : '';
    const breaks = r.breakerTransitions.filter((t) => t.state === 'open').length;
    lines.push(
      `outages    ${r.outages.length}${ongoing} · longest ${r.longestOutageS.toFixed(2)} s · mean time to recover ${recover} · reconnects ${formatCount(r.reconnects)} · lost ${formatCount(r.lost)}${run.config.resilience?.breaker ? ` · breaker opened ${breaks}×` : ''}`,
    );
  }
  const tally = (t: Record<string, number> | undefined): string => Object.entries(t ?? {}).map(([name, n]) => `${name} ×${n}`).join(' · ');
  if (tally(c.errorsByCategory) !== '') lines.push(`classes    ${tally(c.errorsByCategory)}`);
  if (tally(c.errorsByReason) !== '') lines.push(`reasons    ${tally(c.errorsByReason)}`);
  const g = m.generator;
  const gen = [
    g.cpuUsPerMsg === null ? 'n/a' : `${g.cpuUsPerMsg.toFixed(1)} µs CPU/msg`,
    g.cpuUtilization === null ? '' : `${Math.round(g.cpuUtilization * 100)}% of its CPUs`,
    `worker event loop ${g.workerEventLoopUtilization.map((u) => `${Math.round(u * 100)}%`).join(', ')}`,
  ].filter(Boolean);
  lines.push(`generator  ${gen.join(' · ')}`);
  const connections = describeConnections(run);
  if (connections !== null) lines.push(`connections ${connections}`);
  if (g.memory) lines.push(`memory     ${[describeMemory(g.memory), describeWorkerLimits(run.config)].filter(Boolean).join(' · ')}`);
  if (m.server) lines.push(`server     ${m.server.cpuUsPerMsg === null ? 'n/a' : `${m.server.cpuUsPerMsg.toFixed(1)} µs CPU/msg`}`);
  for (const warning of run.warnings) lines.push(`warning    ${warning}`);
  return lines.join('\n');
}
