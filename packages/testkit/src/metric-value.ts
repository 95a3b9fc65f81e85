/**
 * Sum of the samples of metric `name` (a counter, gauge, or a histogram's `_sum`/`_count`) in a Prometheus
 * text exposition whose labels include all of `labels`.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).startsWith('{')
      ? line.slice(name.length + 1, line.indexOf('}'))
      : '';
    const ok = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`));
    if (ok) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
