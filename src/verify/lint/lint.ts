/**
 * The policy linter: mistakes in hand-written CiliumNetworkPolicies and Kubernetes
 * NetworkPolicies that make a policy do something other than what it says, most of them silently
 * (a pruned field, a policy the agent ignores, an empty section that denies nothing), and the
 * objects the verifier does not evaluate.
 */
import { AdmissionResult, admitPolicy, minorOf, POLICY_KINDS } from '../intake/admit';
import { cidrGroupsOf } from '../intake/cidr-group';
import { cidrGroupFindings } from './cidr-groups';
import { crossChecks } from './cross-checks';
import { isNetworkPolicy, netpolAdmission } from './netpol-admission';
import { netpolCiliumDeviations } from './netpol-cilium';
import { netpolDns, StoredNetpol } from './netpol-dns';
import { netpolMistakes } from './netpol-mistakes';
import { notEvaluatedHostPolicies, notEvaluatedKind } from './not-evaluated';
import type { Finding, Issue, LintInput, LintOptions, Severity } from './finding';
import { prunedFinding } from './pruned';
import { objName, rulesOf } from './util';

export type { Finding, Issue, LintInput, LintOptions, Severity } from './finding';

/** Cilium kinds with "Policy" in their name that are neither network policies nor evaluated (routing, announcements). */
const OTHER_CILIUM_POLICY_KINDS = ['CiliumL2AnnouncementPolicy', 'CiliumBGPPeeringPolicy'];

/** Lints a set of objects together (some checks look across policies). */
export function lintManifests(inputs: readonly LintInput[], options: LintOptions = {}): Finding[] {
  const version = options.version ?? '1.19';
  const minor = minorOf(version);
  const findings: Finding[] = [];
  const admitted: { input: LintInput; res: AdmissionResult }[] = [];
  const netpols: { input: LintInput; raw: any; np: StoredNetpol }[] = [];
  const objects = inputs.map((i) => i.object).filter((o) => o && typeof o === 'object');
  const namespaces = objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1');
  const emit = (input: LintInput, o: any, issues: readonly Issue[]) => {
    for (const i of issues) {
      findings.push({ file: input.file ?? '<input>', object: objName(o), ...i });
    }
  };
  for (const input of inputs) {
    let o = input.object;
    if (!o || typeof o !== 'object') {
      continue;
    }
    const file = input.file ?? '<input>';
    const add = (path: string, severity: Severity, rule: string, message: string, fix: string) =>
      findings.push({ file, object: objName(o), path, severity, rule, message, fix });
    const notEvaluated = notEvaluatedKind(o);
    if (notEvaluated) {
      emit(input, o, [notEvaluated]);
      continue;
    }
    if (isNetworkPolicy(o)) {
      const a = netpolAdmission(o, options.admissions);
      emit(input, o, a.issues);
      if (a.res.object) {
        netpols.push({ input, raw: a.manifest, np: { stored: a.res.object, namespace: a.res.object.metadata?.namespace || 'default' } });
      }
      continue;
    }
    if (typeof o.apiVersion === 'string' && /^(networking\.k8s\.io|extensions)\//.test(o.apiVersion) && /^network.?polic/i.test(String(o.kind))) {
      add('kind', 'error', 'unknown-kind', `kind ${o.kind} does not exist in ${o.apiVersion}: the API server has no such resource`, 'use kind NetworkPolicy (apiVersion networking.k8s.io/v1)');
      continue;
    }
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
    if (isCilium && !POLICY_KINDS.includes(o.kind) && !OTHER_CILIUM_POLICY_KINDS.includes(o.kind) && /Polic/.test(String(o.kind))) {
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
    const res = options.admissions && o === input.object
      ? options.admissions.policy(o, version, { enableL7Proxy: options.enableL7Proxy })
      : admitPolicy(o, version, { enableL7Proxy: options.enableL7Proxy });
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
  const groups = cidrGroupsOf(objects);
  for (const { input, res } of admitted) {
    // a policy the agent rejects has no host rules in effect either: agent-rejects says so
    emit(input, input.object, [...cidrGroupFindings(res.object, groups), ...(res.agentErrors.length === 0 ? notEvaluatedHostPolicies(res.object) : [])]);
  }
  const localCluster = options.policyDefaultLocalCluster ?? minor >= 19;
  const inEffect = admitted.filter((a) => a.res.agentErrors.length === 0).map((a) => ({ object: a.res.object }));
  for (const { input, raw, np } of netpols) {
    emit(input, input.object, [
      ...netpolMistakes(raw, np.stored, namespaces),
      ...netpolCiliumDeviations(np.stored, minor, localCluster),
      ...netpolDns(np, netpols.map((n) => n.np), inEffect, namespaces),
    ]);
  }
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
