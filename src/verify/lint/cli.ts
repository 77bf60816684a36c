/**
 * `cilium-verify lint <file|dir>... [--json] [--version 1.19]`.
 */
import { Finding, lintManifests } from './lint';
import { loadManifests } from '../intake/manifests';

const USAGE = `usage: cilium-verify lint <file|dir>... [--json] [--version 1.16|1.17|1.18|1.19] [--no-l7-proxy]

Reports mistakes in CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy and Kubernetes
NetworkPolicy manifests: fields the API server would prune or reject, policies the Cilium agent
would ignore, empty sections that deny nothing, FQDN rules without a DNS-proxy rule, egress
isolation without DNS, peers ORed by accident, rules Cilium enforces differently from
Kubernetes, CiliumCIDRGroup references that resolve to nothing, shadowed L7 rules, and more; and
names the objects the verifier does not evaluate (egress gateway, redirect and Envoy policies,
AdminNetworkPolicy, host policies).
--no-l7-proxy: the agent runs without the L7 proxy (Helm l7Proxy=false), so any L7 rule makes it
reject the policy.
Exit status: 0 no error, 1 at least one error, 2 unreadable input.`;

/** Runs the linter command; returns the exit status. */
export async function runLintCli(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
}): Promise<number> {
  const paths: string[] = [];
  let json = false;
  let version = '1.19';
  let enableL7Proxy = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') {
      json = true;
    } else if (a === '--version') {
      version = argv[++i] ?? '';
      if (!/^1\.(16|17|18|19)$/.test(version)) {
        io.err(`cilium-verify lint: --version must be 1.16, 1.17, 1.18 or 1.19, got ${JSON.stringify(version)}`);
        return 2;
      }
    } else if (a === '--no-l7-proxy') {
      enableL7Proxy = false;
    } else if (a === '--help' || a === '-h') {
      io.out(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      io.err(`cilium-verify lint: unknown option ${a}\n\n${USAGE}`);
      return 2;
    } else {
      paths.push(a);
    }
  }
  if (paths.length === 0) {
    io.err(USAGE);
    return 2;
  }
  let manifests;
  try {
    manifests = loadManifests(paths);
  } catch (e: any) {
    io.err(`cilium-verify lint: ${e && e.message ? e.message : e}`);
    return 2;
  }
  const inputs = manifests.map((m: any) => ({ file: String(m.source ?? '').replace(/#\d+$/, ''), object: m.object }));
  const findings = lintManifests(inputs, { version, enableL7Proxy });
  const files = new Set(inputs.map((i) => i.file)).size;
  for (const f of findings) {
    io.out(json ? JSON.stringify(f) : format(f));
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (!json) {
    io.out(`${inputs.length} objects in ${files} files: ${errors} errors, ${warnings} warnings`);
  }
  return errors > 0 ? 1 : 0;
}

function format(f: Finding): string {
  return `${f.file}: ${f.severity} [${f.rule}] ${f.object} ${f.path}: ${f.message} (fix: ${f.fix})`;
}
