/** One sample line of the Prometheus text format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its HELP, its TYPE and its samples, in the order written. */
export interface PromFamily {
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * A strict reading of the text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
 * throws, naming the line, on anything Prometheus would reject or that the format's rules forbid:
 * a bad metric or label name, a reserved `__` label, a bad escape, a value that is no float, a
 * sample before its family's HELP and TYPE or of no declared family, HELP or TYPE twice, the
 * same series twice, a histogram without `le`, non-cumulative buckets or a +Inf bucket unlike
 * its _count, and text that does not end in a newline.
 */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const families = new Map<string, PromFamily & { typed: boolean; helped: boolean }>();
  const series = new Set<string>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { help: '', type: 'untyped', samples: [], typed: false, helped: false }));
    return f;
  };
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const where = `line ${i + 1} (${line.slice(0, 120)})`;
      if (line.startsWith('#')) {
        const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
        if (!m) {
          if (/^# (HELP|TYPE)\b/.test(line)) throw new Error(`${where}: a HELP or TYPE line needs a name and text`);
          return; // a comment
        }
        const [, kind, name, rest] = m as unknown as [string, 'HELP' | 'TYPE', string, string];
        if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
        const f = family(name);
        if (f.samples.length > 0) throw new Error(`${where}: ${kind} after the family's samples`);
        if (kind === 'HELP') {
          if (f.helped) throw new Error(`${where}: a second HELP for ${name}`);
          if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`${where}: bad escape in HELP`);
          f.help = rest;
          f.helped = true;
        } else {
          if (f.typed) throw new Error(`${where}: a second TYPE for ${name}`);
          if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
          f.type = rest as PromFamily['type'];
          f.typed = true;
        }
        return;
      }
      if (line.trim() === '') return; // the format ignores empty lines (prom-client puts one between families)
      const sample = parseSample(line, where);
      const owner = [sample.name, sample.name.replace(/_(bucket|sum|count)$/, '')].find((n) => families.get(n)?.typed);
      if (!owner) throw new Error(`${where}: ${sample.name} has no TYPE line before it`);
      const f = families.get(owner)!;
      if (!f.helped) throw new Error(`${where}: ${owner} has no HELP line before its samples`);
      if (owner !== sample.name && f.type !== 'histogram' && f.type !== 'summary') throw new Error(`${where}: ${sample.name} is not a sample of the ${f.type} ${owner}`);
      if (sample.name.endsWith('_bucket') && f.type === 'histogram' && sample.labels.le === undefined) throw new Error(`${where}: a histogram bucket without le`);
      const key = `${sample.name}{${Object.entries(sample.labels)
        .sort()
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}}`;
      if (series.has(key)) throw new Error(`${where}: the series ${key} twice`);
      series.add(key);
      f.samples.push(sample);
    });
  for (const [name, f] of families) {
    if (!f.typed || !f.helped) throw new Error(`${name}: HELP and TYPE must both be given`);
    if (f.type === 'histogram') checkHistogram(name, f.samples);
  }
  return new Map([...families].map(([n, { help, type, samples }]) => [n, { help, type, samples }]));
}

function parseSample(line: string, where: string): PromSample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) throw new Error(`${where}: not a sample line`);
  const labels: Record<string, string> = {};
  let rest = m[2] ? m[2].slice(1, -1) : '';
  while (rest !== '') {
    const l = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (!l) throw new Error(`${where}: bad label set near ${rest.slice(0, 60)}`);
    const [whole, label, raw] = l as unknown as [string, string, string];
    if (!LABEL.test(label) || label.startsWith('__')) throw new Error(`${where}: bad label name ${label}`);
    if (label in labels) throw new Error(`${where}: label ${label} twice`);
    labels[label] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  const raw = m[3]!;
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : undefined;
  if (value === undefined) throw new Error(`${where}: ${raw} is not a float`);
  return { name: m[1]!, labels, value };
}

/** Per label set (le aside): buckets rise with le, and the +Inf bucket is _count. */
function checkHistogram(name: string, samples: readonly PromSample[]): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const s of samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${name}_bucket`) g.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    if (s.name === `${name}_count`) g.count = s.value;
  }
  for (const [key, g] of groups) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([le, v], i) => {
      if (i > 0 && v < sorted[i - 1]![1]) throw new Error(`${name}${key}: bucket le=${le} holds fewer than the one below it`);
    });
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Infinity) throw new Error(`${name}${key}: no le="+Inf" bucket`);
    if (g.count !== inf[1]) throw new Error(`${name}${key}: _count ${g.count} is not the +Inf bucket ${inf[1]}`);
  }
}
