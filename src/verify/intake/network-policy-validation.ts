/**
 * The API server's Go validation of a `networking.k8s.io/v1` NetworkPolicy, beyond the types the
 * OpenAPI schema gives: kubernetes/kubernetes `pkg/apis/networking/validation/validation.go`
 * (`ValidateNetworkPolicy` and the functions it calls, as of commit 019c5dc51786, create path)
 * with apimachinery's `ValidateObjectMeta`, `ValidateLabelSelector` and syntax checks.
 *
 * Input is an object that has been through the schema (types are right, unknown fields dropped)
 * and the defaults; every function returns "path: message" strings naming the path, the value
 * and what is accepted.
 */
import { Cidr } from '../../cilium/net';
import {
  isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, isValidPortNum,
} from '../../cilium/k8s-names';
import { parseCidrSloppy } from './schema';

const q = (v: unknown): string => JSON.stringify(v);
const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** Total size of annotation keys and values (`apimachinery ValidateAnnotations`, TotalAnnotationSizeLimitB). */
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

function labelKeyErrors(path: string, key: string, what = 'label key'): string[] {
  const msgs = isQualifiedName(key);
  return msgs.length === 0 ? [] : [`${path}: ${q(key)} is not a valid ${what}: ${msgs.join('; ')}`];
}

function labelValueErrors(path: string, value: string, key?: string): string[] {
  const msgs = isValidLabelValue(value);
  const of = key === undefined ? '' : ` (of key ${q(key)})`;
  return msgs.length === 0 ? [] : [`${path}: ${q(value)}${of} is not a valid label value: ${msgs.join('; ')}`];
}

/** apimachinery `ValidateLabels`: qualified-name keys, valid values (errors at the map's path, as in Go). */
function validateLabels(labels: unknown, path: string): string[] {
  if (!isObject(labels)) {
    return [];
  }
  return Object.keys(labels).flatMap((k) => [...labelKeyErrors(path, k), ...labelValueErrors(path, String(labels[k]), k)]);
}

/**
 * apimachinery `ValidateObjectMeta` as `ValidateNetworkPolicy` calls it (namespaced, names by
 * `ValidateNetworkPolicyName` = `NameIsDNSSubdomain`). A manifest may leave out the namespace: the
 * request's namespace is used.
 */
export function validateObjectMeta(meta: Record<string, any>, path = 'metadata'): string[] {
  const errs: string[] = [];
  if (meta.name === undefined || meta.name === '') {
    errs.push(`${path}.name: required (a DNS-1123 subdomain such as "allow-frontend")`);
  } else {
    const msgs = isDns1123Subdomain(meta.name);
    if (msgs.length > 0) {
      errs.push(`${path}.name: ${q(meta.name)} is not a valid NetworkPolicy name: ${msgs.join('; ')}`);
    }
  }
  if (meta.namespace !== undefined && meta.namespace !== '') {
    // ValidateNamespaceName = NameIsDNSLabel
    const msgs = isDns1123Label(meta.namespace);
    if (msgs.length > 0) {
      errs.push(`${path}.namespace: ${q(meta.namespace)} is not a valid namespace name: ${msgs.join('; ')}`);
    }
  }
  errs.push(...validateLabels(meta.labels, `${path}.labels`));
  if (isObject(meta.annotations)) {
    // ValidateAnnotations: keys are qualified names (checked lower-cased), total size limited
    let size = 0;
    for (const k of Object.keys(meta.annotations)) {
      errs.push(...labelKeyErrors(`${path}.annotations`, k.toLowerCase(), 'annotation key'));
      size += Buffer.byteLength(k) + Buffer.byteLength(String(meta.annotations[k]));
    }
    if (size > ANNOTATIONS_SIZE_LIMIT) {
      errs.push(`${path}.annotations: ${size} bytes in total; the API server accepts at most ${ANNOTATIONS_SIZE_LIMIT}`);
    }
  }
  return errs;
}

/**
 * apimachinery `ValidateLabelSelector` / `ValidateLabelSelectorRequirement`, with
 * `AllowInvalidLabelValueInSelector` false (its value on create; see `ValidationOptionsForNetworking`).
 */
export function validateLabelSelector(sel: unknown, path: string): string[] {
  if (!isObject(sel)) {
    return [];
  }
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  list(sel.matchExpressions).forEach((e: any, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    const req = isObject(e) ? e : {};
    const values = list(req.values);
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errs.push(`${p}.values: required when operator is ${req.operator} (at least one value)`);
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(`${p}.values: ${q(values)} may not be specified when operator is ${req.operator} (leave values out)`);
        }
        break;
      default:
        errs.push(`${p}.operator: ${q(req.operator ?? '')} is not a valid selector operator: the API server accepts "In", "NotIn", "Exists" or "DoesNotExist" (case-sensitive)`);
    }
    errs.push(...labelKeyErrors(`${p}.key`, String(req.key ?? '')));
    values.forEach((v: any, j: number) => errs.push(...labelValueErrors(`${p}.values[${j}]`, String(v))));
  });
  return errs;
}

/** `ValidateNetworkPolicyPort`: protocol, numeric or named port, endPort. */
export function validateNetworkPolicyPort(port: Record<string, any>, path: string): string[] {
  const errs: string[] = [];
  const protocol = port.protocol;
  if (protocol !== undefined && protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') {
    errs.push(`${path}.protocol: ${q(protocol)} is not supported: the API server accepts "TCP", "UDP" or "SCTP" (case-sensitive)`);
  }
  const endPort = port.endPort;
  if (port.port !== undefined) {
    if (typeof port.port === 'number') {
      for (const m of isValidPortNum(port.port)) {
        errs.push(`${path}.port: ${port.port} is not a valid port number: ${m}`);
      }
      if (endPort !== undefined) {
        if (endPort < port.port) {
          errs.push(`${path}.endPort: ${endPort} must be greater than or equal to port (${port.port})`);
        }
        for (const m of isValidPortNum(endPort)) {
          errs.push(`${path}.endPort: ${endPort} is not a valid port number: ${m}`);
        }
      }
    } else {
      if (endPort !== undefined) {
        errs.push(`${path}.endPort: ${endPort} may not be specified when port is non-numeric (${q(port.port)}); a range needs a numeric port`);
      }
      const msgs = isValidPortName(port.port);
      if (msgs.length > 0) {
        const hint = /^[0-9]+$/.test(port.port) ? `; write a port number as an integer (port: ${Number(port.port)}), not a string` : '';
        errs.push(`${path}.port: ${q(port.port)} is not a valid port name: ${msgs.join('; ')}${hint}`);
      }
    }
  } else if (endPort !== undefined) {
    errs.push(`${path}.endPort: ${endPort} may not be specified when port is not specified`);
  }
  return errs;
}

/** A parsed prefix as Go's `net.IPNet` sees it for `Contains`: 4 or 16 bytes and a mask length over them. */
interface GoNet {
  readonly bytes: 4 | 16;
  readonly value: bigint;
  readonly maskBits: number;
}

/** `net.IP.To4` on a 16-byte address: the IPv4 part of an IPv4-mapped address. */
function to4(v: bigint): bigint | undefined {
  return v >> 32n === 0xffffn ? v & 0xffffffffn : undefined;
}

/**
 * Go's `(*net.IPNet).Contains(ip)` for the networks `ParseCIDRSloppy` returns: an IPv4-mapped
 * IPv6 network or address is compared as IPv4 (its mask is the last 32 bits of the 128-bit one);
 * otherwise the families must match.
 */
function goContains(net: Cidr, ip: Cidr): boolean {
  const asNet = (c: Cidr, mask: number): GoNet => {
    if (c.family === 4) {
      return { bytes: 4, value: c.value, maskBits: mask };
    }
    const v4 = to4(c.value);
    return v4 === undefined ? { bytes: 16, value: c.value, maskBits: mask } : { bytes: 4, value: v4, maskBits: Math.max(0, mask - 96) };
  };
  const n = asNet(net, net.bits);
  const a = asNet(ip, 0);
  if (n.bytes !== a.bytes) {
    return false;
  }
  const shift = BigInt(n.bytes * 8 - n.maskBits);
  return n.value >> shift === a.value >> shift;
}

/**
 * `ValidateIPBlock`: cidr required and valid, each except valid and a strict subset of cidr.
 * CIDRs are checked by `IsValidCIDRForLegacyField` with strict validation off (the
 * `StrictIPCIDRValidation` feature gate is alpha, off by default, since Kubernetes 1.33), i.e.
 * `netutils.ParseCIDRSloppy`: Go 1.16's `net.ParseCIDR`, which accepts leading zeros in IPv4
 * octets and in the prefix length, host bits after the prefix, and IPv4-mapped IPv6 addresses.
 */
export function validateIPBlock(ipb: Record<string, any>, path: string): string[] {
  const errs: string[] = [];
  if (ipb.cidr === undefined || ipb.cidr === '') {
    return [`${path}.cidr: required (a CIDR such as "10.0.0.0/8" or "2001:db8::/64")`];
  }
  const cidr = parseCidrSloppy(ipb.cidr);
  if (!cidr) {
    return [`${path}.cidr: ${q(ipb.cidr)} is not a valid CIDR value: write an address and a prefix length, e.g. "10.9.8.0/24" or "2001:db8::/64"`];
  }
  list(ipb.except).forEach((text: any, i: number) => {
    const p = `${path}.except[${i}]`;
    const except = parseCidrSloppy(text);
    if (!except) {
      errs.push(`${p}: ${q(text)} is not a valid CIDR value: write an address and a prefix length, e.g. "10.9.8.0/24" or "2001:db8::/64"`);
    } else if (!goContains(cidr, except) || cidr.bits >= except.bits) {
      errs.push(`${p}: ${q(text)} must be a strict subset of cidr ${q(ipb.cidr)}: inside it, with a longer prefix, of the same IP family`);
    }
  });
  return errs;
}

/** `ValidateNetworkPolicyPeer`: at least one of podSelector / namespaceSelector / ipBlock; ipBlock alone. */
export function validateNetworkPolicyPeer(peer: Record<string, any>, path: string): string[] {
  const errs: string[] = [];
  let peers = 0;
  if (peer.podSelector !== undefined) {
    peers++;
    errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  }
  if (peer.namespaceSelector !== undefined) {
    peers++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  }
  if (peer.ipBlock !== undefined) {
    peers++;
    errs.push(...validateIPBlock(isObject(peer.ipBlock) ? peer.ipBlock : {}, `${path}.ipBlock`));
  }
  if (peers === 0) {
    errs.push(`${path}: must specify a peer: one of podSelector, namespaceSelector (both together select pods in the selected namespaces) or ipBlock`);
  } else if (peers > 1 && peer.ipBlock !== undefined) {
    errs.push(`${path}: may not specify both ipBlock and another peer (${['podSelector', 'namespaceSelector'].filter((k) => peer[k] !== undefined).join(', ')}); an ipBlock must be alone in its peer`);
  }
  return errs;
}

/** `ValidateNetworkPolicySpec`: podSelector, each rule's ports and peers, policyTypes. */
export function validateNetworkPolicySpec(spec: Record<string, any>, path = 'spec'): string[] {
  const errs = validateLabelSelector(spec.podSelector, `${path}.podSelector`);
  for (const [dir, peersKey] of [['ingress', 'from'], ['egress', 'to']]) {
    list(spec[dir]).forEach((rule: any, i: number) => {
      const rp = `${path}.${dir}[${i}]`;
      list(rule?.ports).forEach((port: any, j: number) => errs.push(...validateNetworkPolicyPort(isObject(port) ? port : {}, `${rp}.ports[${j}]`)));
      list(rule?.[peersKey]).forEach((peer: any, j: number) => errs.push(...validateNetworkPolicyPeer(isObject(peer) ? peer : {}, `${rp}.${peersKey}[${j}]`)));
    });
  }
  const types = list(spec.policyTypes);
  if (types.length > 2) {
    errs.push(`${path}.policyTypes: ${q(types)} may not specify more than two policyTypes (write ["Ingress"], ["Egress"] or ["Ingress", "Egress"])`);
    return errs;
  }
  types.forEach((t: any, i: number) => {
    if (t !== 'Ingress' && t !== 'Egress') {
      errs.push(`${path}.policyTypes[${i}]: ${q(t)} is not supported: the API server accepts "Ingress" or "Egress" (case-sensitive)`);
    }
  });
  return errs;
}

/** `ValidateNetworkPolicy` on create: object metadata, then the spec. */
export function validateNetworkPolicy(np: Record<string, any>): string[] {
  return [
    ...validateObjectMeta(isObject(np.metadata) ? np.metadata : {}),
    ...validateNetworkPolicySpec(isObject(np.spec) ? np.spec : {}),
  ];
}
