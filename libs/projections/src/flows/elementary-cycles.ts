/**
 * Elementary cycles of a directed graph (Johnson, 1975), in a deterministic order: nodes are
 * taken in code-point order, each cycle starts at its least node. The number of cycles can grow
 * exponentially with the graph, so enumeration stops after `limit` cycles.
 */
export function elementaryCycles(nodes: readonly string[], successors: ReadonlyMap<string, readonly string[]>, limit: number): { cycles: string[][]; truncated: boolean } {
  const order = [...nodes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map(order.map((node, index) => [node, index]));
  const cycles: string[][] = [];
  let truncated = false;

  for (let s = 0; s < order.length && !truncated; s++) {
    const start = order[s];
    // Only nodes ranked at or after the start, within the start's strongly connected component.
    const component = stronglyConnectedFrom(start, (node) => (successors.get(node) ?? []).filter((next) => rank.get(next)! >= s));
    if (component.size < 2 && !(successors.get(start) ?? []).includes(start)) continue;
    const next = (node: string) => (successors.get(node) ?? []).filter((n) => component.has(n)).sort((a, b) => rank.get(a)! - rank.get(b)!);
    const blocked = new Set<string>();
    const blockedBy = new Map<string, Set<string>>();
    const path: string[] = [];

    const unblock = (node: string) => {
      const pending = [node];
      while (pending.length > 0) {
        const current = pending.pop()!;
        if (!blocked.delete(current)) continue;
        const waiting = blockedBy.get(current);
        if (waiting) {
          blockedBy.delete(current);
          pending.push(...waiting);
        }
      }
    };

    // Iterative circuit search: frames of (node, its successors, the index of the next one).
    const frames: { node: string; succ: string[]; index: number; found: boolean }[] = [];
    const push = (node: string) => {
      path.push(node);
      blocked.add(node);
      frames.push({ node, succ: next(node), index: 0, found: false });
    };
    push(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame.index < frame.succ.length) {
        const w = frame.succ[frame.index++];
        if (w === start) {
          cycles.push([...path, start]);
          frame.found = true;
          if (cycles.length >= limit) {
            truncated = true;
            break;
          }
        } else if (!blocked.has(w)) {
          push(w);
        }
        continue;
      }
      frames.pop();
      path.pop();
      if (frame.found) {
        unblock(frame.node);
        if (frames.length > 0) frames[frames.length - 1].found = true;
      } else {
        for (const w of frame.succ) {
          let waiting = blockedBy.get(w);
          if (!waiting) blockedBy.set(w, (waiting = new Set()));
          waiting.add(frame.node);
        }
      }
    }
  }
  return { cycles, truncated };
}

/** The strongly connected component containing `start` (Tarjan's algorithm, iterative). */
function stronglyConnectedFrom(start: string, successors: (node: string) => string[]): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  let counter = 0;
  const work: { node: string; succ: string[]; i: number }[] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    work.push({ node, succ: successors(node), i: 0 });
  };
  visit(start);
  while (work.length > 0) {
    const frame = work[work.length - 1];
    if (frame.i < frame.succ.length) {
      const w = frame.succ[frame.i++];
      if (!index.has(w)) visit(w);
      else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
      continue;
    }
    work.pop();
    if (work.length > 0) {
      const parent = work[work.length - 1].node;
      low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
    }
    if (low.get(frame.node) === index.get(frame.node)) {
      const component = new Set<string>();
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.add(member);
      } while (member !== frame.node);
      if (component.has(start)) return component;
    }
  }
  return new Set([start]);
}
