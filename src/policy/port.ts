import { _Problem } from './errors';

/** Transport protocols of a port rule. */
export enum Protocol {
  /** TCP */
  TCP = 'TCP',
  /** UDP */
  UDP = 'UDP',
  /** SCTP (needs SCTP support in the datapath) */
  SCTP = 'SCTP',
  /** TCP, UDP and SCTP (not ICMP) */
  ANY = 'ANY',
}

const IANA_NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const PROTO_ORDER = [Protocol.TCP, Protocol.UDP, Protocol.SCTP, Protocol.ANY];

/**
 * A destination port, a port range or a named port, with its protocol. Ports are the
 * pod's container ports (Cilium enforces after Service translation), not Service ports.
 */
export class Port {
  /** A TCP port. */
  public static tcp(port: number): Port {
    return new Port(Protocol.TCP, port);
  }
  /** A UDP port. */
  public static udp(port: number): Port {
    return new Port(Protocol.UDP, port);
  }
  /** An SCTP port. */
  public static sctp(port: number): Port {
    return new Port(Protocol.SCTP, port);
  }
  /** A port on TCP, UDP and SCTP (protocol ANY). */
  public static anyProtocol(port: number): Port {
    return new Port(Protocol.ANY, port);
  }
  /** An inclusive range of ports, e.g. `Port.range(Protocol.TCP, 8000, 8080)`. */
  public static range(protocol: Protocol, startPort: number, endPort: number): Port {
    return new Port(protocol, startPort, endPort);
  }
  /** An inclusive range of TCP ports. */
  public static tcpRange(startPort: number, endPort: number): Port {
    return new Port(Protocol.TCP, startPort, endPort);
  }
  /** An inclusive range of UDP ports. */
  public static udpRange(startPort: number, endPort: number): Port {
    return new Port(Protocol.UDP, startPort, endPort);
  }
  /** Every port of a protocol (`port: "0"`). L7 rules cannot be attached to it. */
  public static allPorts(protocol: Protocol): Port {
    return new Port(protocol, 0);
  }
  /**
   * A named container port. On ingress it resolves against the destination pod's ports; on
   * egress against every pod's ports, and fails closed if two pods give the name different
   * numbers — prefer numeric ports for egress.
   */
  public static named(name: string, protocol?: Protocol): Port {
    return new Port(protocol ?? Protocol.TCP, undefined, undefined, name);
  }

  /** The protocol. */
  public readonly protocol: Protocol;
  /** The port number (0 = every port); undefined for a named port. */
  public readonly startPort?: number;
  /** The last port of a range. */
  public readonly endPort?: number;
  /** The name of a named port. */
  public readonly name?: string;

  private constructor(protocol: Protocol, port?: number, endPort?: number, name?: string) {
    this.protocol = protocol;
    this.startPort = port;
    this.endPort = endPort;
    this.name = name;
  }

  /** `TCP/5432`, `TCP/8000-8080`, `TCP/http`, `UDP/all`. */
  public toString(): string {
    if (this.name !== undefined) {
      return `${this.protocol}/${this.name}`;
    }
    if (this.startPort === 0) {
      return `${this.protocol}/all`;
    }
    return this.endPort !== undefined ? `${this.protocol}/${this.startPort}-${this.endPort}` : `${this.protocol}/${this.startPort}`;
  }

  /** Whether the port is a range or every port. @internal */
  public get _isRangeOrAll(): boolean {
    return this.startPort === 0 || this.endPort !== undefined;
  }

  /** @internal */
  public _problems(field: string): _Problem[] {
    if (!PROTO_ORDER.includes(this.protocol)) {
      return [{ field, problem: `protocol "${this.protocol}" is not accepted`, fix: 'use Protocol.TCP, UDP, SCTP or ANY' }];
    }
    if (this.name !== undefined) {
      const n = this.name;
      if (n.length === 0 || n.length > 15 || !IANA_NAME_RE.test(n) || !/[a-z]/.test(n) || n.includes('--')) {
        return [{ field, problem: `named port "${n}" is not an IANA service name`, fix: 'use 1-15 lower-case letters, digits and "-", with at least one letter' }];
      }
      return [];
    }
    const p = this.startPort!;
    if (!Number.isInteger(p) || p < 0 || p > 65535) {
      return [{ field, problem: `port ${p} is outside 1..65535`, fix: 'use a port between 1 and 65535, or Port.allPorts() for every port' }];
    }
    if (this.endPort !== undefined) {
      const e = this.endPort;
      if (!Number.isInteger(e) || e < 1 || e > 65535) {
        return [{ field, problem: `end port ${e} is outside 1..65535`, fix: 'use an end port between 1 and 65535' }];
      }
      if (p === 0) {
        return [{ field, problem: 'a port range cannot start at 0', fix: 'start the range at 1 or use Port.allPorts()' }];
      }
      if (e <= p) {
        return [{ field, problem: `end port ${e} is not above start port ${p} (Cilium would treat it as the single port ${p})`, fix: 'give a range with endPort > port, or a single port' }];
      }
    }
    return [];
  }

  /** Whether `_problems()` finds nothing, checked once. @internal */
  public get _valid(): boolean {
    this.valid ??= this._problems('').length === 0;
    return this.valid;
  }

  /** Sort key. @internal */
  public get _sortKey(): string {
    if (this.sortKey === undefined) {
      const num = this.name !== undefined ? `~${this.name}` : `${String(this.startPort).padStart(5, '0')}-${String(this.endPort ?? 0).padStart(5, '0')}`;
      this.sortKey = `${PROTO_ORDER.indexOf(this.protocol)}:${num}`;
    }
    return this.sortKey;
  }

  /** Identity key. @internal */
  public get _key(): string {
    this.key ??= this.toString();
    return this.key;
  }

  /** @internal */
  public _render(): any {
    const out: any = { port: this.name ?? String(this.startPort), protocol: this.protocol };
    if (this.endPort !== undefined) {
      out.endPort = this.endPort;
    }
    return out;
  }

  /** `_render()` with its keys sorted, a fresh object. @internal */
  public _renderSorted(): any {
    const port = this.name ?? String(this.startPort);
    return this.endPort !== undefined ? { endPort: this.endPort, port, protocol: this.protocol } : { port, protocol: this.protocol };
  }

  /** `JSON.stringify(_render())`, made once. @internal */
  public get _json(): string {
    this.json ??= JSON.stringify(this._render());
    return this.json;
  }

  // Memos (a port is immutable): checks, merging, sorting and rendering read these keys many times per port (bench/RESULTS.md §4).
  private sortKey?: string;
  private key?: string;
  private json?: string;
  private valid?: boolean;
}

/** Address families of ICMP rules. */
export enum IcmpFamily {
  /** ICMP for IPv4 */
  IPV4 = 'IPv4',
  /** ICMPv6 */
  IPV6 = 'IPv6',
}

/** An ICMP message type allowed (or denied) by a rule. */
export class IcmpType {
  /** An ICMP type by number (0-255), e.g. 8 for echo request. */
  public static of(family: IcmpFamily, type: number): IcmpType {
    return new IcmpType(family, type);
  }
  /** An ICMP type by its CamelCase name, e.g. `EchoRequest`. */
  public static named(family: IcmpFamily, name: string): IcmpType {
    return new IcmpType(family, undefined, name);
  }
  /** IPv4 echo request (ping). */
  public static echoRequest(): IcmpType {
    return new IcmpType(IcmpFamily.IPV4, 8);
  }

  private constructor(public readonly family: IcmpFamily, public readonly type?: number, public readonly name?: string) {}

  /** @internal */
  public _problems(field: string): _Problem[] {
    if (this.name !== undefined) {
      return /^[A-Z][A-Za-z0-9]*$/.test(this.name) ? [] : [{ field, problem: `ICMP type name "${this.name}" is not a CamelCase type name`, fix: 'use names such as "EchoRequest", or a number 0-255' }];
    }
    return Number.isInteger(this.type) && this.type! >= 0 && this.type! <= 255 ? [] : [{ field, problem: `ICMP type ${this.type} is outside 0..255`, fix: 'use a type between 0 and 255' }];
  }

  /** @internal */
  public get _key(): string {
    return `${this.family}/${this.name ?? String(this.type).padStart(3, '0')}`;
  }

  /** The CRD's JSON (`type` is an integer or a name). @internal */
  public _render(): any {
    return { family: this.family, type: this.name ?? this.type };
  }
}
