/**
 * The policy linter: mistakes in hand-written CiliumNetworkPolicies that make a policy do
 * something other than what it says, most of them silently (a pruned field, a policy the agent
 * ignores, an empty section that denies nothing).
 */
import { isIdentityLabel } from './labels';
import { AdmissionResult, admitPolicy, minorOf, POLICY_KINDS } from './admit';

/** Severity of a finding. */
export type Severity = 'error' | 'warning';

/** One finding. */
export interface Finding {
  readonly file: string;
  /** `Kind namespace/name` of the object. */
  readonly object: string;
  /** Path inside the object, e.g. `spec.ingress`. */
  readonly path: string;
  readonly severity: Severity;
  /** Stable id of the rule, e.g. `empty-section`. */
  readonly rule: string;
  readonly message: string;
  readonly fix: string;
}

/** An object to lint and the file it came from. */
export interface LintInput {
  readonly file?: string;
  readonly object: any;
}

/** Options of the linter. */
export interface LintOptions {
  /** Cilium version the findings are for ("1.16".."1.19"). Default "1.19". */
  readonly version?: string;
  /** The agent's `enable-l7-proxy` (Helm `l7Proxy`, default true); false makes every L7 rule an agent rejection. */
  readonly enableL7Proxy?: boolean;
}

function bareKey(k: string): string {
  const i = k.indexOf(':');
  return i > 0 && ['k8s', 'any', 'reserved', 'container', 'cidr', 'fqdn'].includes(k.slice(0, i)) ? k.slice(i + 1) : k;
}

/** Whether the agent's default label filter drops the key from identities (a selector on it never matches). */
function filteredKey(k: string): boolean {
  return !isIdentityLabel({ source: 'k8s', key: bareKey(k) });
}

function selectorKeys(sel: any): string[] {
  return [...Object.keys(sel?.matchLabels ?? {}), ...(sel?.matchExpressions ?? []).map((e: any) => String(e?.key ?? ''))];
}

function objName(o: any): string {
  const ns = o?.metadata?.namespace;
  return `${o?.kind ?? '?'} ${ns ? `${ns}/` : ''}${o?.metadata?.name ?? '?'}`;
}

function rulesOf(o: any): { rule: any; path: string }[] {
  const out: { rule: any; path: string }[] = [];
  if (o?.spec && typeof o.spec === 'object') {
    out.push({ rule: o.spec, path: 'spec' });
  }
  (Array.isArray(o?.specs) ? o.specs : []).forEach((r: any, i: number) => out.push({ rule: r, path: `specs[${i}]` }));
  return out;
}

/** The value at a path such as `spec.ingress[0].toPorts` (undefined when absent). */
function valueAt(obj: any, path: string): any {
  let cur = obj;
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      return undefined;
    }
    if (m[1]) {
      cur = cur?.[m[1]];
    }
    for (const idx of m[2].match(/\d+/g) ?? []) {
      cur = cur?.[Number(idx)];
    }
  }
  return cur;
}

const KNOWN_FIELDS = ['ingress', 'egress', 'ingressDeny', 'egressDeny', 'endpointSelector', 'nodeSelector', 'enableDefaultDeny', 'description', 'labels', 'log',
  'fromEndpoints', 'toEndpoints', 'fromEntities', 'toEntities', 'fromCIDR', 'toCIDR', 'fromCIDRSet', 'toCIDRSet', 'toFQDNs', 'toServices', 'fromNodes', 'toNodes',
  'fromGroups', 'toGroups', 'fromRequires', 'toRequires', 'toPorts', 'icmps', 'ports', 'port', 'endPort', 'protocol', 'rules', 'http', 'dns', 'kafka', 'l7proto', 'l7',
  'serverNames', 'terminatingTLS', 'originatingTLS', 'listener', 'matchLabels', 'matchExpressions', 'matchName', 'matchPattern', 'k8sService', 'k8sServiceSelector',
  'serviceName', 'namespace', 'selector', 'cidr', 'except', 'cidrGroupRef', 'cidrGroupSelector', 'method', 'path', 'host', 'headers', 'headerMatches', 'authentication',
  'fields', 'family', 'type', 'key', 'operator', 'values'];

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) {
    d[0][j] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known field a pruned key is most likely a misspelling of. */
function didYouMean(field: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of KNOWN_FIELDS) {
    const dist = editDistance(field.toLowerCase(), k.toLowerCase());
    if (dist < bestD && dist <= Math.max(1, Math.min(3, Math.floor(k.length / 3)))) {
      best = k;
      bestD = dist;
    }
  }
  return best === field ? undefined : best;
}

const PEER_FIELDS = ['fromEndpoints', 'toEndpoints', 'fromEntities', 'toEntities', 'fromCIDR', 'toCIDR', 'fromCIDRSet', 'toCIDRSet', 'toFQDNs', 'toServices', 'fromNodes', 'toNodes', 'fromGroups', 'toGroups'];

function prunedFinding(path: string, stored: any): { message: string; fix: string } {
  const last = path.split('.').pop() ?? path;
  const field = last.replace(/\[\d+\]$/, '');
  const parentPath = path.slice(0, Math.max(0, path.length - last.length - 1));
  const parent = stored ? valueAt(stored, parentPath) : undefined;
  const guess = didYouMean(field);
  const hint = guess ? ` (did you mean "${guess}"?)` : '';
  if (field === 'labelSelector') {
    return {
      message: `"labelSelector" is not a field of a Cilium endpoint selector: the API server prunes it and the selector becomes {}, which in a CiliumNetworkPolicy means every pod of the policy's namespace`,
      fix: 'put matchLabels / matchExpressions directly in the selector; for any namespace add {key: k8s:io.kubernetes.pod.namespace, operator: Exists}',
    };
  }
  if (/Deny\[\d+\]\.toFQDNs$/.test(path) || (path.includes('egressDeny') && field === 'toFQDNs')) {
    return { message: 'toFQDNs is not allowed in egressDeny: it is pruned, leaving a deny rule that denies nothing but still puts the pods into egress default deny', fix: 'deny CIDRs, or allow only the names you need' };
  }
  if (path.includes('Deny') && field === 'rules') {
    return { message: 'deny rules have no L7 part: "rules" is pruned and the deny covers the whole port', fix: 'deny the port, or allow only the requests you want with an allow rule\'s rules.http' };
  }
  const inItem = /(ingress|egress|ingressDeny|egressDeny)\[\d+\]$/.test(parentPath);
  if (inItem && guess === 'toPorts') {
    return { message: `"${field}" is not a field of the schema${hint}: it is pruned, so the item's peers are ${/Deny/.test(parentPath) ? 'denied' : 'allowed'} on every port and protocol`, fix: 'write toPorts' };
  }
  if (inItem && (/^(from|to)[A-Z]/.test(field) || (guess && PEER_FIELDS.includes(guess)))) {
    const deny = /Deny\[\d+\]$/.test(parentPath);
    const peerLeft = parent && PEER_FIELDS.some((k) => Array.isArray(parent[k]));
    const portsLeft = parent && ((parent.toPorts ?? []).length > 0 || (parent.icmps ?? []).length > 0);
    let consequence: string;
    if (peerLeft) {
      consequence = 'the item keeps its other peers only';
    } else if (portsLeft) {
      consequence = deny
        ? 'the item is left with ports only, so it denies those ports from/to every peer'
        : 'the item is left with ports only, so it allows those ports from/to every peer (world, host and other namespaces included)';
    } else {
      consequence = deny ? 'the item is left empty: it denies nothing, but still puts the pods into default deny' : 'the item is left empty: it allows nothing (a deny-all)';
    }
    return { message: `"${field}" is not a peer field of the schema${hint}: it is pruned, and ${consequence}`, fix: guess ? `write ${guess}` : 'use fromEndpoints/toEndpoints, fromEntities/toEntities, fromCIDRSet/toCIDRSet, toFQDNs, toServices' };
  }
  if (/^(spec|specs\[\d+\])$/.test(parentPath) && guess && ['ingress', 'egress', 'ingressDeny', 'egressDeny'].includes(guess)) {
    return { message: `"${field}" is not a field of the schema${hint}: the whole section is pruned, so the policy neither isolates nor allows anything in that direction`, fix: `write ${guess}` };
  }
  if (guess === 'matchLabels' || guess === 'matchExpressions') {
    return { message: `"${field}" is not a selector field${hint}: it is pruned and the selector loses those conditions (an empty selector matches every pod of the policy's namespace)`, fix: `write ${guess}` };
  }
  return { message: `"${field}" is not in the CRD schema${hint}: the API server prunes it silently`, fix: guess ? `write ${guess}` : 'remove the field, or write the one the schema defines' };
}

/** Lints a set of objects together (some checks look across policies). */
export function lintManifests(inputs: readonly LintInput[], options: LintOptions = {}): Finding[] {
  const version = options.version ?? '1.19';
  const minor = minorOf(version);
  const findings: Finding[] = [];
  const admitted: { input: LintInput; res: AdmissionResult }[] = [];
  for (const input of inputs) {
    let o = input.object;
    if (!o || typeof o !== 'object') {
      continue;
    }
    const file = input.file ?? '<input>';
    const add = (path: string, severity: Severity, rule: string, message: string, fix: string) =>
      findings.push({ file, object: objName(o), path, severity, rule, message, fix });
    const isCilium = typeof o.apiVersion === 'string' && o.apiVersion.startsWith('cilium.io/');
    if (isCilium && o.apiVersion !== 'cilium.io/v2' && POLICY_KINDS.includes(o.kind)) {
      add('apiVersion', 'error', 'unknown-api-version', `apiVersion ${o.apiVersion} does not exist: the API server refuses the object, so the policy is never created (the other findings for this object assume cilium.io/v2)`, 'use apiVersion: cilium.io/v2');
      // lint the rest as if it were cilium.io/v2, so that every mistake shows in one pass
      o = { ...o, apiVersion: 'cilium.io/v2' };
    }
    if (isCilium && o.kind === 'CiliumConfig') {
      add('kind', 'error', 'unknown-kind', 'kind CiliumConfig does not exist: transparent encryption (WireGuard) is not a policy object but a Cilium install setting', 'set Helm values encryption.enabled=true and encryption.type=wireguard (or the agent flags) when installing Cilium');
      continue;
    }
    if (isCilium && !POLICY_KINDS.includes(o.kind) && /Polic/.test(String(o.kind))) {
      add('kind', 'error', 'unknown-kind', `kind ${o.kind} is not a Cilium policy kind: the API server has no such resource`, 'use kind CiliumNetworkPolicy (namespaced) or CiliumClusterwideNetworkPolicy');
      continue;
    }
    if (!isCilium || !POLICY_KINDS.includes(o.kind)) {
      continue;
    }
    // inert empty sections, before pruning and admission
    for (const { rule, path } of rulesOf(o)) {
      for (const sec of ['ingress', 'egress', 'ingressDeny', 'egressDeny']) {
        if (Array.isArray(rule?.[sec]) && rule[sec].length === 0) {
          const deny = sec.endsWith('Deny') ? 'an explicit deny' : 'a default deny (nor an explicit deny: those are ingressDeny/egressDeny)';
          add(`${path}.${sec}`, 'error', 'empty-section', `${sec}: [] is no ${sec} section at all: an empty list is not ${deny} and isolates nothing${minor >= 18 ? ' (a policy whose sections are all empty is rejected by the agent from Cilium 1.18)' : ''}`,
            sec.endsWith('Deny') ? `remove it, or write the peers to deny` : `empty list is no section; use ${sec}: [{}] for Cilium's deny-all`);
        }
      }
    }
    const res = admitPolicy(o, version, { enableL7Proxy: options.enableL7Proxy });
    for (const e of res.schemaErrors) {
      const i = e.indexOf(':');
      add(e.slice(0, i), 'error', 'schema', `the API server rejects the object (${e.slice(i + 1).trim()}), so the policy is never created`, 'fix the field to match the CiliumNetworkPolicy CRD schema');
    }
    for (const p of res.pruned) {
      const { message, fix } = prunedFinding(p, res.object);
      add(p, 'error', 'pruned-field', message, fix);
    }
    for (const e of res.agentErrors) {
      const i = e.indexOf(': ');
      add(e.slice(0, i), 'error', 'agent-rejects', `the Cilium agent rejects this policy (${e.slice(i + 2)}): it is ignored, the whole object, default deny included, has no effect`, 'fix the rule; check the policy\'s Valid condition with kubectl get cnp');
    }
    if (res.object) {
      admitted.push({ input: { file: input.file, object: o }, res });
    }
  }
  findings.push(...crossChecks(admitted));
  const key = (f: Finding) => [f.file, f.object, f.path, f.rule, f.message];
  return findings.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] !== kb[i]) {
        return ka[i] < kb[i] ? -1 : 1;
      }
    }
    return 0;
  });
}

interface PolicyView {
  file: string;
  object: any;
  name: string;
  ns?: string;
  rule: any;
  path: string;
}

function isDnsServerSelector(sel: any): boolean {
  const labels = sel?.matchLabels ?? {};
  return Object.keys(labels).some((k) => bareKey(k) === 'k8s-app' && ['kube-dns', 'coredns', 'node-local-dns'].includes(labels[k]))
    || Object.keys(labels).some((k) => bareKey(k) === 'io.kubernetes.pod.namespace' && labels[k] === 'kube-system');
}

function ports(item: any): { port: string; protocol: string; endPort?: number; l7: boolean }[] {
  return (item?.toPorts ?? []).flatMap((tp: any) => (tp?.ports ?? []).map((p: any) => ({
    port: String(p?.port ?? ''), protocol: String(p?.protocol ?? 'ANY'), endPort: p?.endPort, l7: !!(tp.rules && Object.keys(tp.rules).some((k) => Array.isArray(tp.rules[k]) && tp.rules[k].length > 0)),
  })));
}

function sameSubject(a: PolicyView, b: PolicyView): boolean {
  if (a.ns !== b.ns && a.ns !== undefined && b.ns !== undefined) {
    return false;
  }
  const sa = JSON.stringify(a.rule.endpointSelector ?? {});
  const sb = JSON.stringify(b.rule.endpointSelector ?? {});
  return sa === sb || sb === '{}' || sa === '{}';
}

function crossChecks(admitted: { input: LintInput; res: AdmissionResult }[]): Finding[] {
  const out: Finding[] = [];
  const views: PolicyView[] = [];
  for (const { input, res } of admitted) {
    for (const { rule, path } of rulesOf(res.object)) {
      views.push({ file: input.file ?? '<input>', object: res.object, name: objName(res.object), ns: res.object.metadata?.namespace, rule, path });
    }
  }
  for (const v of views) {
    const add = (path: string, severity: Severity, rule: string, message: string, fix: string) =>
      out.push({ file: v.file, object: v.name, path, severity, rule, message, fix });
    const egress: any[] = v.rule.egress ?? [];
    // toFQDNs without a DNS-proxy rule for the same pods
    egress.forEach((item, i) => {
      if (!Array.isArray(item?.toFQDNs) || item.toFQDNs.length === 0) {
        return;
      }
      const hasDnsRule = views.some((w) => sameSubject(w, v) && (w.rule.egress ?? []).some((e: any) => (e?.toPorts ?? []).some((tp: any) => Array.isArray(tp?.rules?.dns) && tp.rules.dns.length > 0
        && (tp.ports ?? []).some((p: any) => String(p?.port) === '53' || String(p?.port).toLowerCase() === 'dns' || String(p?.port).toLowerCase() === 'domain'))));
      if (!hasDnsRule) {
        add(`${v.path}.egress[${i}].toFQDNs`, 'error', 'fqdn-without-dns-proxy',
          'toFQDNs only learns addresses from DNS answers seen by Cilium\'s DNS proxy, and no policy gives these pods a DNS rule: this egress allows nothing',
          'add an egress rule to kube-dns (k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns) on port 53 protocol ANY with rules.dns: [{matchPattern: "*"}]');
      }
    });
    // DNS on UDP only
    // a DNS item: towards the cluster DNS pods, or port 53 towards any peer (no L3 part)
    const towardsDns = (e: any) => (e?.toEndpoints ?? []).some(isDnsServerSelector) || peerOf(e) === undefined;
    egress.forEach((item, i) => {
      if (!towardsDns(item)) {
        return;
      }
      const ps = ports(item).filter((p) => p.port === '53');
      if (ps.length > 0 && ps.every((p) => p.protocol === 'UDP')) {
        const tcpElsewhere = views.some((w) => sameSubject(w, v) && (w.rule.egress ?? []).some((e: any) => towardsDns(e)
          && ports(e).some((p) => p.port === '53' && (p.protocol === 'TCP' || p.protocol === 'ANY'))));
        if (!tcpElsewhere) {
          add(`${v.path}.egress[${i}].toPorts`, 'warning', 'dns-udp-only', 'DNS is allowed on UDP only: answers too large for UDP are retried over TCP, which is then dropped', 'allow port 53 with protocol ANY (UDP and TCP)');
        }
      }
    });
    // allow items with ports but no peer: every peer (world, host, every namespace) on those ports
    for (const dir of ['ingress', 'egress']) {
      (v.rule[dir] ?? []).forEach((item: any, i: number) => {
        if (item && typeof item === 'object' && peerOf(item) === undefined && (item.toPorts ?? []).some((tp: any) => (tp?.ports ?? []).length > 0)) {
          const who = dir === 'ingress' ? 'from every source: the world, the node, every namespace' : 'to every destination: the world, the nodes, every namespace';
          add(`${v.path}.${dir}[${i}]`, 'warning', 'ports-without-peer',
            `this ${dir} item has toPorts but no peer, so it allows those ports ${who}`,
            `if that is the intent, say so with ${dir === 'ingress' ? 'fromEntities' : 'toEntities'}: [all]; otherwise name the peers (${dir === 'ingress' ? 'fromEndpoints, fromEntities' : 'toEndpoints, toEntities'}, ...)`);
        }
      });
    }
    // L4-only rules shadowing L7 rules
    for (const dir of ['ingress', 'egress']) {
      const items: any[] = v.rule[dir] ?? [];
      items.forEach((item, i) => {
        for (const p of ports(item).filter((x) => x.l7)) {
          const peerKey = JSON.stringify(peerOf(item));
          for (const w of views.filter((x) => sameSubject(x, v))) {
            (w.rule[dir] ?? []).forEach((other: any, j: number) => {
              if (w === v && j === i) {
                return;
              }
              const otherPeer = peerOf(other);
              const broader = otherPeer === undefined || JSON.stringify(otherPeer) === peerKey || (Array.isArray(otherPeer.entities) && otherPeer.entities.some((e: string) => e === 'all'));
              if (!broader) {
                return;
              }
              const otherPorts = ports(other);
              const l4Only = (other?.toPorts ?? []).length === 0 && (other?.icmps ?? []).length === 0
                ? true
                : otherPorts.some((q) => !q.l7 && covers(q, p));
              if (l4Only && !(otherPeer === undefined && (other?.toPorts ?? []).length === 0)) {
                add(`${v.path}.${dir}[${i}].toPorts`, 'warning', 'l7-shadowed',
                  `the L7 rules on port ${p.port} are shadowed by the L4-only rule ${w.name} ${w.path}.${dir}[${j}] for the same (or a broader) peer: Cilium then allows every request`,
                  'give the L7 rules to every allow of that port and peer, or narrow the L4-only rule');
              }
            });
          }
        }
      });
    }
    // a whole namespace trusted by every pod of this namespace
    if (v.object.kind === 'CiliumNetworkPolicy' && v.rule.endpointSelector && Object.keys(v.rule.endpointSelector).length === 0) {
      (v.rule.ingress ?? []).forEach((item: any, i: number) => {
        (item?.fromEndpoints ?? []).forEach((sel: any, j: number) => {
          const keys = selectorKeys(sel).map(bareKey);
          if (keys.length > 0 && keys.every((k) => k === 'io.kubernetes.pod.namespace')) {
            add(`${v.path}.ingress[${i}].fromEndpoints[${j}]`, 'warning', 'namespace-wide-trust',
              'every pod of this namespace accepts every pod of another namespace: any workload deployed there later is trusted too',
              'select the pods that need access (e.g. the operator by app.kubernetes.io/name) and the pods that serve it (e.g. cnpg.io/podRole: instance)');
          }
        });
      });
    }
    // CNPG pods with enforced ingress but no egress policy at all
    if (selectorKeys(v.rule.endpointSelector).some((k) => bareKey(k) === 'cnpg.io/cluster') && (v.rule.ingress ?? []).length > 0
      && !views.some((w) => sameSubject(w, v) && ((w.rule.egress ?? []).length > 0 || (w.rule.egressDeny ?? []).length > 0))) {
      add(v.path, 'warning', 'cnpg-no-egress', 'the CNPG pods\' egress is not restricted by any policy: they can connect anywhere, and a later egress default deny breaks them unless it allows the API server, DNS and the other instances',
        'add egress rules for the instances: kube-apiserver entity, kube-dns on 53 (ANY), the instances on 5432 and 8000 (or use SecuredPostgres)');
    }
    // peers without a namespace key, in a policy that says it admits other namespaces
    if (v.object.kind === 'CiliumNetworkPolicy' && v.ns) {
      const claim = claimedNamespaces([v.object.metadata?.name, v.rule.description, ...Object.values(v.object.metadata?.annotations ?? {})]);
      const others = claim.names.filter((n) => n !== v.ns);
      if (claim.any || others.length > 0) {
        for (const dir of ['ingress', 'egress', 'ingressDeny', 'egressDeny']) {
          (v.rule[dir] ?? []).forEach((item: any, i: number) => {
            for (const f of ['fromEndpoints', 'toEndpoints']) {
              (item?.[f] ?? []).forEach((sel: any, j: number) => {
                const keys = selectorKeys(sel).map(bareKey);
                if (keys.some((k) => k === 'io.kubernetes.pod.namespace' || k.startsWith('io.cilium.k8s.namespace.labels.')) || selectorKeys(sel).some((k) => k.startsWith('reserved:'))) {
                  return;
                }
                const said = claim.any ? 'other namespaces' : `namespace ${others.map((n) => `"${n}"`).join(', ')}`;
                add(`${v.path}.${dir}[${i}].${f}[${j}]`, 'warning', 'peer-namespace-implicit',
                  `this peer selector has no namespace key, so in a CiliumNetworkPolicy it only matches pods of the policy's own namespace "${v.ns}", although the policy's name or description speaks of ${said}`,
                  claim.any
                    ? 'for any namespace add matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: Exists}] to the selector'
                    : `add matchLabels k8s:io.kubernetes.pod.namespace: ${others[0]} to the selector`);
              });
            }
          });
        }
      }
    }
    // a description that says the pods initiate nothing, with no egress section for them
    {
      const text = [v.rule.description, ...Object.values(v.object.metadata?.annotations ?? {})].filter((x) => typeof x === 'string').join(' ');
      if (claimsNoEgress(text) && !views.some((w) => sameSubject(w, v) && ((w.rule.egress ?? []).length > 0 || (w.rule.egressDeny ?? []).length > 0))) {
        add(v.path, 'warning', 'claim-not-enforced',
          'the description says these pods initiate no connections, but no policy selecting them has an egress section: their egress is not enforced at all',
          'add egress: [{}] (deny all egress, DNS included) or egress rules for what they may reach');
      }
    }
    // CCNP selecting health endpoints
    if (v.object.kind === 'CiliumClusterwideNetworkPolicy' && v.rule.endpointSelector && Object.keys(v.rule.endpointSelector).length === 0 && (v.rule.ingress ?? []).length > 0) {
      add(`${v.path}.endpointSelector`, 'warning', 'ccnp-selects-health', 'a cluster-wide endpointSelector {} with ingress rules also selects the cilium-health endpoints (and every kube-system pod), which breaks health checks unless they are admitted',
        'scope the selector (e.g. exclude kube-system, select by labels) or add the health policy from Cilium\'s examples (kubernetes/clusterwide/health.yaml)');
    }
    // selectors on filtered labels, CNPG's mutable labels
    const selectors: { sel: any; path: string }[] = [{ sel: v.rule.endpointSelector, path: `${v.path}.endpointSelector` }];
    for (const dir of ['ingress', 'egress', 'ingressDeny', 'egressDeny']) {
      (v.rule[dir] ?? []).forEach((item: any, i: number) => {
        for (const f of ['fromEndpoints', 'toEndpoints']) {
          (item?.[f] ?? []).forEach((s: any, j: number) => selectors.push({ sel: s, path: `${v.path}.${dir}[${i}].${f}[${j}]` }));
        }
      });
    }
    for (const { sel, path } of selectors) {
      const keys = selectorKeys(sel);
      for (const k of keys.filter(filteredKey)) {
        add(path, 'warning', 'filtered-label', `label "${k}" is dropped by Cilium from security identities, so this selector never matches`, 'select on an application label (app, app.kubernetes.io/name, ...)');
      }
      if (keys.some((k) => bareKey(k) === 'cnpg.io/cluster')) {
        for (const k of keys.filter((x) => ['cnpg.io/instanceRole', 'role'].includes(bareKey(x)))) {
          add(path, 'warning', 'cnpg-mutable-label', `"${k}" moves between CNPG instances on failover and switchover: a policy keyed on it changes meaning when the primary changes`, 'select instances with cnpg.io/cluster and cnpg.io/podRole: instance');
        }
      }
    }
  }
  return out;
}

const NS_WORD = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ANY_WORDS = ['any', 'all', 'every', 'other', 'another', 'different', 'each', 'cross', 'multiple'];
const SKIP_WORDS = ['same', 'own', 'this', 'that', 'its', 'the', 'a', 'policy', 'current', 'one', 'single', 'given', 'my', 'their', 'default-deny'];

/** Namespaces (or "any namespace") a policy's name, description or annotations speak of. */
function claimedNamespaces(texts: unknown[]): { any: boolean; names: string[] } {
  let any = false;
  const names: string[] = [];
  const note = (w: string) => {
    const word = w.toLowerCase().replace(/^["'`]|["'`]$/g, '');
    if (ANY_WORDS.includes(word)) {
      any = true;
    } else if (!SKIP_WORDS.includes(word) && NS_WORD.test(word) && !names.includes(word)) {
      names.push(word);
    }
  };
  for (const t of texts) {
    if (typeof t !== 'string') {
      continue;
    }
    if (/\b(any|all|every|other|another|different|multiple|cross)[\s-]+namespaces?\b/i.test(t)) {
      any = true;
    }
    for (const m of t.matchAll(/\b(?:in|from|of|to|into)\s+(?:the\s+)?["'`]?([A-Za-z0-9][-A-Za-z0-9]*)["'`]?\s+namespace\b/g)) {
      note(m[1]);
    }
    for (const m of t.matchAll(/\bnamespace[\s:]+["'`]([A-Za-z0-9][-A-Za-z0-9]*)["'`]/g)) {
      note(m[1]);
    }
    for (const m of t.matchAll(/\b(?:in|from|of|to|into)\s+namespace\s+([a-z0-9][-a-z0-9]*)/g)) {
      note(m[1]);
    }
    // names such as allow-backend-namespace
    if (!/\s/.test(t)) {
      for (const m of t.matchAll(/(?:^|-)([a-z0-9]+)-namespaces?(?:-|$)/g)) {
        note(m[1]);
      }
    }
  }
  return { any, names };
}

/** Whether a description says the selected pods open no connections of their own. */
function claimsNoEgress(text: string): boolean {
  if (!text) {
    return false;
  }
  return /\b(initiates?|opens?|makes?|starts?)\s+(no|nothing|none)\b/i.test(text)
    || /\b(no|deny|denies|block|blocks|blocked|denied)\s+(outbound|outgoing|egress)\b/i.test(text)
    || /\b(never|cannot|can't|may not|must not|does not|doesn't)\s+(initiate|open|make|start|connect)\b/i.test(text)
    || /\begress\s+(is\s+)?(denied|blocked|isolated)\b/i.test(text);
}

function peerOf(item: any): any {
  for (const k of ['fromEndpoints', 'toEndpoints', 'fromEntities', 'toEntities', 'fromCIDR', 'toCIDR', 'fromCIDRSet', 'toCIDRSet', 'toFQDNs', 'toServices', 'fromNodes', 'toNodes', 'fromGroups', 'toGroups']) {
    if (Array.isArray(item?.[k])) {
      return k.endsWith('Entities') ? { entities: item[k] } : { [k.replace(/^(from|to)/, '')]: item[k] };
    }
  }
  return undefined;
}

function covers(broad: { port: string; protocol: string; endPort?: number }, narrow: { port: string; protocol: string }): boolean {
  if (broad.protocol !== 'ANY' && broad.protocol !== narrow.protocol) {
    return false;
  }
  if (broad.port === '0') {
    return true;
  }
  const lo = Number(broad.port);
  const hi = broad.endPort && broad.endPort > lo ? broad.endPort : lo;
  const n = Number(narrow.port);
  return Number.isFinite(n) ? lo <= n && n <= hi : broad.port === narrow.port;
}
