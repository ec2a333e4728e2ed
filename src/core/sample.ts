/**
 * Realistic sample runs for the demo, the welcome view and the benchmarks: nested outputs,
 * skipped nodes, integers beyond 2^53, floats such as 1.0, unicode. Deterministic for a
 * given seed so benchmarks and screenshots are repeatable.
 */
import { FlowResult } from './flowResult';
import { JsonNumber, JsonObject, JsonValue, newObject } from './json';

const NODE_KINDS = ['fetch', 'parse', 'validate', 'enrich', 'classify', 'summarize', 'translate', 'score', 'store', 'notify', 'audit', 'cleanup'];
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const PHRASES = ['Order shipped ✅', 'Paiement reçu', 'Überweisung geprüft', '注文を確認しました', 'تم استلام الطلب', 'Заказ доставлен', 'Line one\nline two'];

export interface SampleOptions {
  readonly count: number;
  readonly nodes?: number;
  readonly seed?: number;
  /** Approximate extra bytes of output per run (for size benchmarks). */
  readonly payloadBytes?: number;
}

/** A small, fast, seedable generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateSampleRuns(options: SampleOptions): FlowResult[] {
  const random = seededRandom(options.seed ?? Date.now());
  const runs: FlowResult[] = [];
  for (let i = 0; i < options.count; i++) runs.push(generateSampleRun(random, options.nodes ?? 6, options.payloadBytes ?? 0));
  return runs;
}

function generateSampleRun(random: () => number, nodeCount: number, payloadBytes: number): FlowResult {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const nodes: string[] = [];
  for (let i = 0; i < nodeCount; i++) nodes.push(i < NODE_KINDS.length ? NODE_KINDS[i] : `${pick(NODE_KINDS)}_${i}`);
  const outputs = newObject();
  const skipped: string[] = [];
  nodes.forEach((node, index) => {
    // Roughly one run in three skips a guarded node (never the first).
    if (index > 0 && random() < 0.12) {
      skipped.push(node);
      outputs[node] = null;
      return;
    }
    outputs[node] = sampleOutput(node, index, random, pick);
  });
  if (payloadBytes > 0 && nodes.length > 0) {
    const rows: JsonValue[] = [];
    let size = 0;
    for (let i = 0; size < payloadBytes; i++) {
      const row = newObject();
      row.index = i;
      row.id = bigInteger(random);
      row.label = `${pick(PHRASES)} #${i}`;
      row.score = new JsonNumber((random() * 100).toFixed(3));
      rows.push(row);
      size += 90;
    }
    const host = outputs[nodes[0]];
    if (host && typeof host === 'object' && !Array.isArray(host) && !(host instanceof JsonNumber)) host.rows = rows;
  }
  const context = newObject();
  context.tenant = pick(TENANTS);
  context.attempt = 1 + Math.floor(random() * 3);
  context.trace_id = bigInteger(random);
  context.started_at_ns = new JsonNumber(String(1_764_000_000_000_000_000n + BigInt(Math.floor(random() * 1e15))));
  context.dry_run = random() < 0.2;
  return {
    executionId: randomUuid(random),
    outputs,
    completedNodes: nodes,
    skippedNodes: skipped,
    context,
    extraFields: newObject(),
  };
}

function sampleOutput(node: string, index: number, random: () => number, pick: <T>(items: readonly T[]) => T): JsonValue {
  const out: JsonObject = newObject();
  switch (node) {
    case 'fetch': {
      out.status = 200;
      out.url = `https://api.example.com/orders/${Math.floor(random() * 100000)}`;
      out.items = Array.from({ length: 2 + Math.floor(random() * 4) }, (_, i) => {
        const item = newObject();
        item.sku = `SKU-${1000 + i}`;
        item.qty = 1 + Math.floor(random() * 5);
        item.price = new JsonNumber((random() * 200).toFixed(2));
        return item;
      });
      out.etag = bigInteger(random);
      return out;
    }
    case 'classify':
      out.label = pick(['spam', 'ham', 'urgent', 'routine']);
      out.confidence = new JsonNumber(random() < 0.2 ? '1.0' : random().toFixed(4));
      return out;
    case 'summarize':
    case 'translate':
      out.text = pick(PHRASES);
      out.tokens = Math.floor(random() * 4000);
      return out;
    case 'score':
      return new JsonNumber((random() * 10).toFixed(2));
    case 'notify':
      return null; // a node that ran and genuinely produced null
    default:
      out.ok = random() > 0.05;
      out.step = index;
      out.duration_ns = bigInteger(random);
      out.tags = [pick(TENANTS), pick(['eu', 'us', 'ap'])];
      return out;
  }
}

/** A u64-sized integer (beyond 2^53), as Rust hashes and nanosecond times are. */
function bigInteger(random: () => number): JsonNumber {
  const high = BigInt(Math.floor(random() * 2 ** 31) + 2 ** 31);
  const low = BigInt(Math.floor(random() * 2 ** 32));
  return new JsonNumber(String((high << 32n) | low));
}

function randomUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) + 8) as number).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
