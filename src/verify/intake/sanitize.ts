/**
 * The Cilium agent's own validation of a policy rule (`(*Rule).Sanitize` and friends): specs
 * the CRD schema accepts but the agent rejects. A rejected rule makes the agent ignore the whole
 * policy object, default deny included.
 */
import { AGENT_ENTITIES } from '../../cilium/identities';
import { cidrContainsCidr, parseCidr } from '../../cilium/net';
import { isIanaSvcName, parseGoUint16 } from '../../cilium/ports';
import { isQualifiedName, isValidLabelValue } from '../../cilium/k8s-names';

/** Agent options that change what it accepts. */
export interface SanitizeOptions {
  /** Cilium minor version, e.g. 19 for 1.19. */
  readonly minor: number;
  /** `enable-l7-proxy` (default true). */
  readonly enableL7Proxy?: boolean;
  /** Whether the object is a CiliumNetworkPolicy (namespaced) rather than a CCNP. */
  readonly namespaced: boolean;
}

/** One agent validation error, with the path inside the object. */
export interface SanitizeError {
  readonly path: string;
  readonly message: string;
}

const INGRESS_L3 = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'];
const EGRESS_L3 = ['toCIDR', 'toCIDRSet', 'toEndpoints', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'];

/** Whether a regular expression would compile with Go's regexp package (approximation). */
export function goRegexpCompiles(re: string): boolean {
  if (/\(\?<?[=!]/.test(re) || /\\[1-9]/.test(re) || /\\k</.test(re) || /[*+?}]\+/.test(re)) {
    return false;
  }
  try {
    new RegExp(re.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]+\)/g, ''), 'u');
    return true;
  } catch {
    return false;
  }
}

function labelKeyOk(raw: string): boolean {
  let key = raw;
  const i = key.indexOf(':');
  if (i >= 0) {
    key = key.slice(i + 1);
  }
  if (key.startsWith('$')) {
    key = key.slice(1);
  }
  return isQualifiedName(key).length === 0;
}

function labelValueOk(v: unknown): boolean {
  return typeof v === 'string' && isValidLabelValue(v).length === 0;
}

function checkSelector(sel: any, path: string, errs: SanitizeError[]): void {
  if (!sel || typeof sel !== 'object') {
    return;
  }
  for (const k of Object.keys(sel.matchLabels ?? {})) {
    const v = sel.matchLabels[k];
    if (!labelKeyOk(k)) {
      errs.push({ path: `${path}.matchLabels`, message: `invalid label key "${k}" in selector` });
    }
    if (!labelValueOk(v)) {
      errs.push({ path: `${path}.matchLabels.${k}`, message: `invalid label value ${JSON.stringify(v)}` });
    }
  }
  (sel.matchExpressions ?? []).forEach((e: any, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!labelKeyOk(String(e.key ?? ''))) {
      errs.push({ path: p, message: `invalid label key "${e.key}" in selector` });
    }
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
      errs.push({ path: p, message: `values must be non-empty for operator ${e.operator}` });
    }
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
      errs.push({ path: p, message: `values must be empty for operator ${e.operator}` });
    }
    for (const v of values) {
      if (!labelValueOk(v)) {
        errs.push({ path: p, message: `invalid label value ${JSON.stringify(v)}` });
      }
    }
  });
}

function checkCidrRules(list: any[] | undefined, path: string, errs: SanitizeError[]): void {
  (list ?? []).forEach((r: any, i: number) => {
    const p = `${path}[${i}]`;
    const n = ['cidr', 'cidrGroupRef', 'cidrGroupSelector'].filter((k) => r?.[k] !== undefined && r?.[k] !== '').length;
    if (n > 1) {
      errs.push({ path: p, message: 'only one of cidr, cidrGroupRef and cidrGroupSelector may be set' });
    }
    if (r?.cidr !== undefined) {
      const c = parseCidr(r.cidr);
      if (!c) {
        errs.push({ path: `${p}.cidr`, message: `unable to parse CIDR "${r.cidr}"` });
        return;
      }
      for (const e of r.except ?? []) {
        const pe = parseCidr(e);
        if (!pe) {
          errs.push({ path: `${p}.except`, message: `unable to parse except CIDR "${e}"` });
        } else if (!cidrContainsCidr(c, pe)) {
          errs.push({ path: `${p}.except`, message: `allow CIDR prefix ${r.cidr} does not contain exclude CIDR prefix ${e}` });
        }
      }
    }
  });
}

function checkPorts(item: any, path: string, ingress: boolean, deny: boolean, host: boolean, opts: SanitizeOptions, errs: SanitizeError[]): void {
  const toPorts: any[] = item.toPorts ?? [];
  if (toPorts.length > 0 && (item.icmps ?? []).length > 0) {
    errs.push({ path, message: 'the ICMPs block may only be present without ToPorts' });
  }
  (item.icmps ?? []).forEach((ic: any, i: number) => {
    const fields = ic.fields ?? [];
    if (fields.length > 40) {
      errs.push({ path: `${path}.icmps[${i}]`, message: 'too many ICMP fields (more than 40)' });
    }
    for (const f of fields) {
      if (f.family !== undefined && f.family !== '' && f.family !== 'IPv4' && f.family !== 'IPv6') {
        errs.push({ path: `${path}.icmps[${i}]`, message: `wrong ICMP family "${f.family}"` });
      }
    }
  });
  toPorts.forEach((pr: any, i: number) => {
    const p = `${path}.toPorts[${i}]`;
    const ports: any[] = pr.ports ?? [];
    if (ports.length > 40) {
      errs.push({ path: `${p}.ports`, message: `too many ports (${ports.length}), the maximum is 40` });
    }
    let anyZero = false;
    let allTcp = true;
    let anyRange = false;
    ports.forEach((pp: any, j: number) => {
      const port = pp.port;
      const proto = (pp.protocol ?? '').toUpperCase();
      if (port === undefined || port === '') {
        errs.push({ path: `${p}.ports[${j}].port`, message: 'port must be specified' });
      } else if (!isIanaSvcName(String(port))) {
        const n = parseGoUint16(String(port));
        if (n === undefined) {
          errs.push({ path: `${p}.ports[${j}].port`, message: `unable to parse port "${port}"` });
        } else if (n === 0) {
          anyZero = true;
        }
        if (n !== undefined && pp.endPort !== undefined && pp.endPort > n) {
          anyRange = true;
        }
      }
      if (proto !== 'TCP') {
        allTcp = false;
      }
    });
    const rules = pr.rules;
    if (!rules || deny) {
      return;
    }
    const kinds = ['http', 'kafka', 'dns'].filter((k) => Array.isArray(rules[k]) && rules[k].length > 0);
    const l7proto = rules.l7proto !== undefined && rules.l7proto !== '';
    if (Array.isArray(rules.l7) && rules.l7.length > 0 && !l7proto) {
      errs.push({ path: `${p}.rules`, message: 'l7 rules require l7proto' });
    }
    const n = kinds.length + (l7proto ? 1 : 0);
    if (n === 0) {
      return;
    }
    if (opts.enableL7Proxy === false) {
      errs.push({ path: `${p}.rules`, message: 'L7 policy is not supported since L7 proxy is not enabled' });
    }
    if (n > 1) {
      errs.push({ path: `${p}.rules`, message: 'multiple L7 protocol rule types specified in single rule' });
    }
    const isDns = kinds.length === 1 && kinds[0] === 'dns';
    if (!isDns && !allTcp) {
      errs.push({ path: `${p}.rules`, message: 'L7 rules can only apply to TCP (not ANY) except for DNS rules' });
    }
    if (anyZero) {
      errs.push({ path: `${p}.rules`, message: 'L7 rules can not be used when a port is 0' });
    }
    if (isDns) {
      if (ingress) {
        errs.push({ path: `${p}.rules.dns`, message: 'DNS rules are not allowed on ingress' });
      }
      if (ports.length === 0) {
        errs.push({ path: `${p}.rules.dns`, message: 'port 53 must be specified for DNS rules' });
      }
      if (anyRange) {
        errs.push({ path: `${p}.rules.dns`, message: 'DNS rules do not support port ranges' });
      }
      (rules.dns as any[]).forEach((d, k) => {
        if (d.matchName && d.matchPattern) {
          errs.push({ path: `${p}.rules.dns[${k}]`, message: 'only one of matchName or matchPattern is allowed in an L7 DNS rule' });
        }
      });
    }
    if (host && (ingress || !isDns)) {
      errs.push({ path: `${p}.rules`, message: 'host policies support L7 DNS rules on egress only' });
    }
    if (kinds.includes('http')) {
      (rules.http as any[]).forEach((h, k) => {
        for (const f of ['path', 'method']) {
          if (typeof h?.[f] === 'string' && h[f] !== '' && !goRegexpCompiles(h[f])) {
            errs.push({ path: `${p}.rules.http[${k}].${f}`, message: `invalid regular expression ${JSON.stringify(h[f])}` });
          }
        }
        (h?.headerMatches ?? []).forEach((hm: any, m: number) => {
          if (!hm?.name) {
            errs.push({ path: `${p}.rules.http[${k}].headerMatches[${m}]`, message: 'header name must be specified' });
          }
        });
      });
    }
    if ((pr.serverNames ?? []).length > 0 && !pr.terminatingTLS) {
      errs.push({ path: `${p}.serverNames`, message: 'ServerNames are not allowed with L7 rules without TLS termination' });
    }
    if (pr.listener && !ingress) {
      // on ingress the listener is refused anyway (below)
      errs.push({ path: `${p}.listener`, message: 'listener is not allowed with L7 rules' });
    }
  });
  toPorts.forEach((pr: any, i: number) => {
    for (const sn of pr.serverNames ?? []) {
      if (sn === '') {
        errs.push({ path: `${path}.toPorts[${i}].serverNames`, message: 'empty server name is not allowed' });
      }
    }
    if (pr.listener && ingress) {
      errs.push({ path: `${path}.toPorts[${i}].listener`, message: 'listener is not allowed on ingress' });
    }
  });
}

function checkItem(item: any, path: string, ingress: boolean, deny: boolean, host: boolean, opts: SanitizeOptions, errs: SanitizeError[]): void {
  if (!item || typeof item !== 'object') {
    return;
  }
  const l3 = (ingress ? INGRESS_L3 : EGRESS_L3).filter((k) => Array.isArray(item[k]) && item[k].length > 0);
  if (l3.length > 1) {
    errs.push({ path, message: `combining ${l3.join(' and ')} is not supported yet` });
  }
  for (const k of ['fromNodes', 'toNodes']) {
    if (Array.isArray(item[k]) && item[k].length > 0) {
      errs.push({ path: `${path}.${k}`, message: `${k} requires the agent option enable-node-selector-labels, which is off by default` });
    }
  }
  for (const k of ['fromEndpoints', 'toEndpoints', 'fromNodes', 'toNodes']) {
    (item[k] ?? []).forEach((s: any, i: number) => checkSelector(s, `${path}.${k}[${i}]`, errs));
  }
  for (const k of ['fromEntities', 'toEntities']) {
    for (const e of item[k] ?? []) {
      if (!AGENT_ENTITIES.includes(e)) {
        errs.push({ path: `${path}.${k}`, message: `unsupported entity "${e}"` });
      }
    }
  }
  checkCidrRules(item.fromCIDRSet, `${path}.fromCIDRSet`, errs);
  checkCidrRules(item.toCIDRSet, `${path}.toCIDRSet`, errs);
  for (const k of ['fromCIDR', 'toCIDR']) {
    for (const c of item[k] ?? []) {
      if (!parseCidr(c) && !parseCidr(`${c}/${String(c).includes(':') ? 128 : 32}`)) {
        errs.push({ path: `${path}.${k}`, message: `unable to parse CIDR "${c}"` });
      }
    }
  }
  (item.toFQDNs ?? []).forEach((f: any, i: number) => {
    if (f?.matchName && f?.matchPattern) {
      errs.push({ path: `${path}.toFQDNs[${i}]`, message: 'only one of matchName or matchPattern is allowed in an FQDN rule' });
    }
    if (!f?.matchName && !f?.matchPattern) {
      errs.push({ path: `${path}.toFQDNs[${i}]`, message: 'one of matchName or matchPattern is required' });
    }
  });
  if (opts.minor <= 16 && (item.toServices ?? []).length > 0 && (item.toPorts ?? []).length > 0) {
    errs.push({ path, message: 'Combining ToServices and ToPorts is not supported yet' });
  }
  checkPorts(item, path, ingress, deny, host, opts, errs);
}

/** Validates one rule (`spec` or an element of `specs`) as the agent does. */
export function sanitizeRule(rule: any, path: string, opts: SanitizeOptions): SanitizeError[] {
  const errs: SanitizeError[] = [];
  if (!rule || typeof rule !== 'object') {
    return [{ path, message: 'rule is empty' }];
  }
  const hasEp = rule.endpointSelector !== undefined && rule.endpointSelector !== null;
  const hasNode = rule.nodeSelector !== undefined && rule.nodeSelector !== null;
  if (!hasEp && !hasNode) {
    errs.push({ path, message: 'rule must have one of EndpointSelector or NodeSelector' });
  }
  if (hasEp && hasNode) {
    errs.push({ path, message: 'rule cannot have both EndpointSelector and NodeSelector' });
  }
  if (hasNode && opts.namespaced) {
    errs.push({ path: `${path}.nodeSelector`, message: 'rule cannot have NodeSelector (CiliumNetworkPolicy)' });
  }
  const len = (k: string) => (Array.isArray(rule[k]) ? rule[k].length : 0);
  if (opts.minor >= 18 && len('ingress') + len('ingressDeny') + len('egress') + len('egressDeny') === 0) {
    errs.push({ path, message: 'rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny' });
  }
  checkSelector(rule.endpointSelector, `${path}.endpointSelector`, errs);
  checkSelector(rule.nodeSelector, `${path}.nodeSelector`, errs);
  const host = hasNode && !hasEp;
  (rule.ingress ?? []).forEach((it: any, i: number) => checkItem(it, `${path}.ingress[${i}]`, true, false, host, opts, errs));
  (rule.egress ?? []).forEach((it: any, i: number) => checkItem(it, `${path}.egress[${i}]`, false, false, host, opts, errs));
  if (opts.minor >= 18) {
    (rule.ingressDeny ?? []).forEach((it: any, i: number) => checkItem(it, `${path}.ingressDeny[${i}]`, true, true, host, opts, errs));
    (rule.egressDeny ?? []).forEach((it: any, i: number) => checkItem(it, `${path}.egressDeny[${i}]`, false, true, host, opts, errs));
  }
  return errs;
}

/** Validates a whole policy object (metadata, spec, specs) as the agent does. */
export function sanitizePolicy(obj: any, opts: SanitizeOptions): SanitizeError[] {
  const errs: SanitizeError[] = [];
  if (!obj?.metadata?.name) {
    errs.push({ path: 'metadata.name', message: 'CiliumNetworkPolicy must have a name' });
  }
  const spec = obj?.spec;
  const specs = obj?.specs;
  if (!spec && (!Array.isArray(specs) || specs.length === 0)) {
    errs.push({ path: 'spec', message: 'empty CiliumNetworkPolicy: neither spec nor specs is set' });
  }
  if (spec) {
    errs.push(...sanitizeRule(spec, 'spec', opts));
  }
  (Array.isArray(specs) ? specs : []).forEach((r: any, i: number) => errs.push(...sanitizeRule(r, `specs[${i}]`, opts)));
  return errs;
}
