// Layers, each importing only those below it: src/cilium (Cilium facts, shared with the
// verifier) <- src/policy (typed Cilium policies) <- src/common (DnsServer, output order)
// <- src/access (grants, clients, targets, baselines) <- src/postgres (SecuredPostgres, Pooler).
export * from './policy';
export * from './common';
export * from './access';
export * from './postgres';
