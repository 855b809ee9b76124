import { BlockList, isIP } from 'node:net';
import { cidrProblem } from '../config/cidr.js';

/**
 * The proxies allowed to name the user (`server.ui.trustedProxies`): only a request whose TCP peer
 * is one of them may carry the trusted user header. IPv4-mapped IPv6 peers (::ffff:10.0.0.1)
 * match IPv4 ranges.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const problem = cidrProblem(cidr);
      if (problem) throw new Error(`server.ui.trustedProxies: ${problem}`);
      const [addr, bits] = cidr.split('/');
      const type = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(bits), type);
    }
    this.empty = cidrs.length === 0;
  }

  /** Whether a peer address (as `socket.remoteAddress` gives it) is a trusted proxy. */
  has(address: string | undefined): boolean {
    if (!address || this.empty) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const a = mapped ? mapped[1] : address;
    const family = isIP(a);
    if (family === 0) return false;
    return this.list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }
}
