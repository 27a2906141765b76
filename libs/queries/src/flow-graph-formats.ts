import type { FlowsReport } from '@capflow/projections';

/** The flow graph for Graphviz: one edge per pair with its total, cycles drawn in red. */
export function flowsAsDot(report: FlowsReport): string {
  const lines = ['digraph capflow_flows {', '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const currency of report.currencies) {
    const onCycle = new Set(currency.cycles.flatMap((cycle) => cycle.groups.slice(0, -1).map((g, i) => `${g} ${cycle.groups[i + 1]}`)));
    lines.push(`  subgraph "cluster_${currency.currency}" {`, `    label="${currency.currency}";`);
    for (const group of currency.groups) lines.push(`    "${currency.currency}:${group}" [label="${group}"];`);
    for (const edge of currency.edges) {
      const kinds = Object.entries(edge.kinds)
        .map(([kind, amount]) => `${kind} ${amount}`)
        .join('\\n');
      const style = onCycle.has(`${edge.from} ${edge.to}`) ? ', color=red, penwidth=2' : '';
      lines.push(`    "${currency.currency}:${edge.from}" -> "${currency.currency}:${edge.to}" [label="${edge.total} ${currency.currency}\\n${kinds}"${style}];`);
    }
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The flow graph as a Mermaid flowchart (renders in GitHub and most wikis). */
export function flowsAsMermaid(report: FlowsReport): string {
  const lines = ['flowchart LR'];
  const id = (currency: string, group: string) => `${currency}_${group}`.replace(/[^A-Za-z0-9_]/g, '_');
  let edgeIndex = 0;
  const cycleEdges: number[] = [];
  for (const currency of report.currencies) {
    const onCycle = new Set(currency.cycles.flatMap((cycle) => cycle.groups.slice(0, -1).map((g, i) => `${g} ${cycle.groups[i + 1]}`)));
    lines.push(`  subgraph ${currency.currency}`);
    for (const group of currency.groups) lines.push(`    ${id(currency.currency, group)}["${group}"]`);
    for (const edge of currency.edges) {
      lines.push(`    ${id(currency.currency, edge.from)} -->|"${edge.total} ${currency.currency}"| ${id(currency.currency, edge.to)}`);
      if (onCycle.has(`${edge.from} ${edge.to}`)) cycleEdges.push(edgeIndex);
      edgeIndex += 1;
    }
    lines.push('  end');
  }
  if (cycleEdges.length > 0) lines.push(`  linkStyle ${cycleEdges.join(',')} stroke:#d00,stroke-width:2px`);
  return `${lines.join('\n')}\n`;
}
