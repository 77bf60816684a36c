/**
 * How the agent reads a policy port string (semantics reference §8.1, `pkg/policy/api/l4.go`
 * `(*PortProtocol).sanitize`): an IANA service name is a named port, anything else goes through
 * `strconv.ParseUint(port, 0, 16)`.
 */

/** IANA service name syntax, as the agent's `iana.IsSvcName`. */
export function isIanaSvcName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(s) && /[a-zA-Z]/.test(s) && !s.includes('--');
}

/** Go `strconv.ParseUint(s, 0, 16)`: base prefixes `0x`, `0b`, `0o` and a leading `0` (octal). */
export function parseGoUint16(s: string): number | undefined {
  let v: number;
  if (/^0[xX][0-9a-fA-F_]+$/.test(s)) {
    v = parseInt(s.slice(2).replace(/_/g, ''), 16);
  } else if (/^0[bB][01_]+$/.test(s)) {
    v = parseInt(s.slice(2).replace(/_/g, ''), 2);
  } else if (/^0[oO]?[0-7_]+$/.test(s) && s.length > 1) {
    v = parseInt(s.replace(/^0[oO]?/, '').replace(/_/g, '') || '0', 8);
  } else if (/^[0-9]+$/.test(s)) {
    v = parseInt(s, 10);
  } else {
    return undefined;
  }
  return Number.isFinite(v) && v <= 65535 ? v : undefined;
}
