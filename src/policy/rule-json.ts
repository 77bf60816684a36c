/**
 * Merged rules written as Cilium rule items, in the CRD's JSON field names: the L3 part of each
 * item (`fromEndpoints`, `toFQDNs`, ...) and its ports part (`toPorts` with L7 rules, `icmps`).
 * Every value is fresh, with its keys sorted, as written to the manifest.
 */
import { _cmp } from './compare';
import { Peer, PeerKind } from './peer';
import { Port } from './port';
import { Direction } from './rule';
import { _PeerState, _PortEntry } from './rule-merge';

/** The CRD's JSON field names per peer kind (the imported L1 types spell some in camel case). */
const FROM: Record<string, string> = {
  [PeerKind.ENDPOINTS]: 'fromEndpoints',
  [PeerKind.ENTITIES]: 'fromEntities',
  [PeerKind.CIDR]: 'fromCIDRSet',
};
const TO: Record<string, string> = {
  [PeerKind.ENDPOINTS]: 'toEndpoints',
  [PeerKind.ENTITIES]: 'toEntities',
  [PeerKind.CIDR]: 'toCIDRSet',
  [PeerKind.FQDN]: 'toFQDNs',
  [PeerKind.SERVICES]: 'toServices',
};

/** What an item allows besides its peers: every port, `toPorts` or `icmps`; its JSON and value. */
interface Part {
  readonly field?: 'toPorts' | 'icmps';
  readonly json: string;
  readonly value?: any;
}

/** No ports part: every port and protocol. One shared object: it has no value to copy. */
const EVERY_PORT: Part = { json: '{}' };

/**
 * The items of merged peer states, ordered by their JSON with the L3 field first and the ports
 * part after it (as `JSON.stringify({ ...l3, ...part })` spells it), without duplicates.
 *
 * @internal
 */
export function _renderItems(direction: Direction, states: _PeerState[], deny: boolean): any[] {
  // Group peers of one kind by what they are allowed, so that each item lists every peer
  // with identical ports and L7 rules.
  const groups = new Map<string, { kind: PeerKind; peers: Peer[]; part: Part }>();
  // One peer (the common case): every part is its own group, so no grouping key is built.
  const single = states.length === 1;
  const add = (st: _PeerState, part: Part) => {
    const key = single ? String(groups.size) : `${st.peer.kind}|${part.json}`;
    let g = groups.get(key);
    if (!g) {
      g = { kind: st.peer.kind, peers: [], part };
      groups.set(key, g);
    }
    g.peers.push(st.peer);
  };
  for (const st of states) {
    if (st.all) {
      add(st, EVERY_PORT);
      continue;
    }
    if (st.ports.size > 0) {
      const toPorts = renderPorts([...st.ports.values()], deny);
      add(st, { field: 'toPorts', json: `{"toPorts":${toPorts.json}}`, value: toPorts.values });
    }
    if (st.icmps && st.icmps.size > 0) {
      const sorted = [...st.icmps.values()].sort((a, b) => _cmp(a._key, b._key));
      const icmps = chunks(sorted, 40).map((c) => ({ fields: c.map((i) => i._render()) }));
      add(st, { field: 'icmps', json: JSON.stringify({ icmps }), value: icmps });
    }
  }
  const items: { key: string; item: any }[] = [];
  for (const g of groups.values()) {
    const l3 = renderL3(direction, g.kind, g.peers);
    // Key from cached peer, port and L7 JSON, no stringify per item (serialization 0.64 s vs floor 0.67 s, bench/RESULTS.md §3).
    const partInner = g.part.json.length > 2 ? g.part.json.slice(1, -1) : '';
    const inner = l3 ? (partInner ? `"${l3.field}":${l3.json},${partInner}` : `"${l3.field}":${l3.json}`) : partInner;
    const item: any = {};
    // Each group has a part of its own (the parts of the states that joined it are dropped).
    const partValue = g.part.value;
    if (l3 && (g.part.field === undefined || l3.field < g.part.field)) {
      item[l3.field] = l3.value;
    }
    if (g.part.field !== undefined) {
      item[g.part.field] = partValue;
    }
    if (l3 && g.part.field !== undefined && l3.field > g.part.field) {
      item[l3.field] = l3.value;
    }
    items.push({ key: `{${inner}}`, item });
  }
  // Most rule sets render one item: only two or more are sorted.
  if (items.length < 2) {
    return items.map((x) => x.item);
  }
  return items
    .sort((a, b) => _cmp(a.key, b.key))
    .filter((x, idx, all) => idx === 0 || all[idx - 1].key !== x.key)
    .map((x) => x.item);
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) {
    out.push(xs.slice(i, i + n));
  }
  return out;
}

/**
 * The `toPorts` of one peer: plain ports first (sorted, 40 per entry), then one entry per set of
 * L7 rules (ordered by JSON). Returns fresh values with sorted keys and the JSON of the list
 * in the L1 key order (`ports`, then `rules`).
 */
function renderPorts(entries: _PortEntry[], deny: boolean): { values: any[]; json: string } {
  const values: any[] = [];
  const jsons: string[] = [];
  const plain = entries.filter((e) => !e.l7Kind).sort((a, b) => _cmp(a.port._sortKey, b.port._sortKey));
  for (const c of chunks(plain, 40)) {
    values.push({ ports: c.map((e) => e.port._renderSorted()) });
    jsons.push(`{"ports":[${c.map((e) => e.port._json).join(',')}]}`);
  }
  if (!deny) {
    const byL7 = new Map<string, { kind: string; rules: string[]; ports: Port[] }>();
    for (const e of entries) {
      if (!e.l7Kind) {
        continue;
      }
      const rules = [...e.l7!].sort();
      const key = `${e.l7Kind}|[${rules.join(',')}]`;
      let g = byL7.get(key);
      if (!g) {
        g = { kind: e.l7Kind, rules, ports: [] };
        byL7.set(key, g);
      }
      g.ports.push(e.port);
    }
    const l7Entries: { json: string; value: any }[] = [];
    for (const g of byL7.values()) {
      const ports = g.ports.sort((a, b) => _cmp(a._sortKey, b._sortKey));
      for (const c of chunks(ports, 40)) {
        l7Entries.push({
          json: `{"ports":[${c.map((p) => p._json).join(',')}],"rules":{"${g.kind}":[${g.rules.join(',')}]}}`,
          // The rules' JSON has its keys sorted: parsing it gives fresh, sorted objects.
          value: { ports: c.map((p) => p._renderSorted()), rules: { [g.kind]: g.rules.map((r) => JSON.parse(r)) } },
        });
      }
    }
    // Most peers have one set of L7 rules: only two or more are sorted.
    if (l7Entries.length > 1) {
      l7Entries.sort((a, b) => _cmp(a.json, b.json));
    }
    for (const e of l7Entries) {
      values.push(e.value);
      jsons.push(e.json);
    }
  }
  return { values, json: `[${jsons.join(',')}]` };
}

/** The L3 part of an item: its field, its value (fresh, sorted keys) and the value's JSON. */
function renderL3(direction: Direction, kind: PeerKind, peers: Peer[]): { field: string; value: any[]; json: string } | undefined {
  if (kind === PeerKind.ANY) {
    return undefined;
  }
  const field = (direction === Direction.INGRESS ? FROM : TO)[kind];
  if (kind === PeerKind.ENTITIES) {
    const names = [...new Set(peers.flatMap((p) => p._value as string[]))].sort();
    return { field, value: names, json: JSON.stringify(names) };
  }
  // One peer (the common case): its cached JSON as is, no de-duplication map.
  if (peers.length === 1) {
    return { field, value: [peers[0]._renderSorted()], json: `[${peers[0]._json}]` };
  }
  const byJson = new Map<string, Peer>();
  for (const p of peers) {
    byJson.set(p._json, p);
  }
  const keys = [...byJson.keys()].sort();
  return { field, value: keys.map((k) => byJson.get(k)!._renderSorted()), json: `[${keys.join(',')}]` };
}
